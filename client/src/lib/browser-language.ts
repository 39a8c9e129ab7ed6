import type { Language } from '@konferenz/shared';

/**
 * The UI language for a first visit, from the browser's preferred languages (most preferred
 * first): German for a German browser, English for every other, since English is the
 * catalogue's only other language. Without any preference (no browser) German, the default.
 */
export function languageOfBrowser(preferred: readonly string[]): Language {
  const first = preferred[0];
  if (first === undefined) return 'de';
  return first.toLowerCase().split('-')[0] === 'de' ? 'de' : 'en';
}

/** The browser's preferred languages, most preferred first; empty outside a browser. */
export function browserLanguages(): readonly string[] {
  const navigator = globalThis.navigator as Navigator | undefined;
  if (!navigator) return [];
  if (navigator.languages?.length) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}
