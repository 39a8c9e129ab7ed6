import { COUNTRY_CODES, type AccountView, type Language } from '@konferenz/shared';

/** What the profile inputs hold: plain strings, checked by the shared schemas on submit. */
export interface ProfileValues {
  firstName: string;
  lastName: string;
  company: string;
  phone: string;
  address: { street: string; houseNumber: string; postalCode: string; city: string; country: string };
  language: Language;
}

export function emptyProfile(language: Language): ProfileValues {
  return {
    firstName: '',
    lastName: '',
    company: '',
    phone: '',
    address: { street: '', houseNumber: '', postalCode: '', city: '', country: COUNTRY_CODES[0] },
    language,
  };
}

export function profileFromAccount(account: AccountView): ProfileValues {
  return {
    firstName: account.firstName,
    lastName: account.lastName,
    company: account.company ?? '',
    phone: account.phone ?? '',
    address: { ...account.address },
    language: account.language,
  };
}

/** Country names in the UI language, from the browser's own locale data; the code if it has none. */
export function countryOptions(language: Language): { value: string; label: string }[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([language], { type: 'region' });
  } catch {
    names = null;
  }
  return COUNTRY_CODES.map((code) => ({ value: code, label: names?.of(code) ?? code }));
}
