import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, type CountryCode } from '../constants/countries';
import { addressSchema } from '../schemas/fields';
import { isPostalCodeOf } from './postal-code';

const VALID: Record<CountryCode, string> = {
  DE: '10115',
  AT: '1010',
  CH: '8001',
  LI: '9490',
  LU: 'L-1009',
  BE: '1000',
  NL: '1012 AB',
  FR: '75001',
  IT: '00184',
  ES: '28013',
  PT: '1100-148',
  DK: '1050',
  SE: '114 55',
  NO: '0150',
  FI: '00100',
  PL: '00-950',
  CZ: '110 00',
  SK: '811 01',
  HU: '1051',
  SI: '1000',
  HR: '10000',
  IE: 'D02 X285',
  GB: 'SW1A 1AA',
  US: '20500-0003',
};

describe('postal codes per country', () => {
  it.each(COUNTRY_CODES)('accepts a real code of %s', (country) => {
    expect(isPostalCodeOf(country, VALID[country])).toBe(true);
  });

  it('refuses a 4-digit code for Germany and a 5-digit one for Austria', () => {
    expect(isPostalCodeOf('DE', '1011')).toBe(false);
    expect(isPostalCodeOf('AT', '10115')).toBe(false);
    expect(isPostalCodeOf('NL', '1012')).toBe(false);
    expect(isPostalCodeOf('GB', '12345')).toBe(false);
  });

  it('reports the problem on the postal code field of an address', () => {
    const address = { street: 'Hauptstraße', houseNumber: '1', postalCode: '1011', city: 'Berlin', country: 'DE' };
    const result = addressSchema.safeParse(address);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['postalCode'], message: 'validation.postalCode' })]);
    expect(addressSchema.safeParse({ ...address, country: 'AT' }).success).toBe(true);
  });
});
