import type { CountryCode } from '../constants/countries';

/**
 * The postal code format of each country the address form offers (as the national post
 * writes it; a space or hyphen where the post prints one is optional, letters in either
 * case). Only the shape is checked: whether the code exists is the post's business.
 */
const POSTAL_CODE_PATTERNS: Record<CountryCode, RegExp> = {
  DE: /^\d{5}$/,
  AT: /^\d{4}$/,
  CH: /^\d{4}$/,
  LI: /^94(?:8[5-9]|9\d)$/,
  LU: /^(?:L-?)?\d{4}$/i,
  BE: /^\d{4}$/,
  NL: /^[1-9]\d{3} ?[A-Z]{2}$/i,
  FR: /^\d{5}$/,
  IT: /^\d{5}$/,
  ES: /^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$/,
  PT: /^\d{4}-?\d{3}$/,
  DK: /^\d{4}$/,
  SE: /^\d{3} ?\d{2}$/,
  NO: /^\d{4}$/,
  FI: /^\d{5}$/,
  PL: /^\d{2}-?\d{3}$/,
  CZ: /^\d{3} ?\d{2}$/,
  SK: /^\d{3} ?\d{2}$/,
  HU: /^\d{4}$/,
  SI: /^\d{4}$/,
  HR: /^\d{5}$/,
  IE: /^(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}$/i,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
  US: /^\d{5}(?:-\d{4})?$/,
};

/** True when `postalCode` (already trimmed) has the format of `country`'s postal codes. */
export function isPostalCodeOf(country: CountryCode, postalCode: string): boolean {
  return POSTAL_CODE_PATTERNS[country].test(postalCode);
}
