/** ISO 3166-1 alpha-2 codes offered in the address form; the service starts in the DACH region and the EU. */
export const COUNTRY_CODES = [
  'DE', 'AT', 'CH', 'LI', 'LU', 'BE', 'NL', 'FR', 'IT', 'ES', 'PT', 'DK', 'SE', 'NO', 'FI', 'PL', 'CZ',
  'SK', 'HU', 'SI', 'HR', 'IE', 'GB', 'US',
] as const;
export type CountryCode = (typeof COUNTRY_CODES)[number];
