import { isCatalogueKey, isLanguage, translate, type CatalogueKey, type Language } from '@konferenz/shared';
import { browserLanguages, languageOfBrowser } from './browser-language';

/** localStorage key of the language the visitor picked with the switch. */
export const LANGUAGE_STORAGE_KEY = 'konferenz.language';

/** A problem to show: a catalogue key, and the server's already localized text for keys we do not know. */
export interface Problem {
  key: string;
  fallback?: string;
  /** A text with numbers or times no catalogue entry holds; built in the current language, so it follows a switch too. */
  text?: (language: Language) => string;
}

function storedLanguage(): Language | null {
  try {
    const value = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null; // storage disabled (private mode, sandboxed frame)
  }
}

function showLanguageOnPage(language: Language): void {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

// A remembered choice wins; a first visit follows the browser (de for German browsers, en otherwise).
const initialLanguage = storedLanguage() ?? languageOfBrowser(browserLanguages());
let current = $state<Language>(initialLanguage);
showLanguageOnPage(initialLanguage);

/** The UI language; reading it inside a template or effect makes that place follow switches. */
export function currentLanguage(): Language {
  return current;
}

/** The visitor's explicit choice: shown at once, remembered across visits. */
export function chooseLanguage(language: Language): void {
  current = language;
  showLanguageOnPage(language);
  try {
    globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // not remembered, still shown
  }
}

/** After login the account's language applies, unless the visitor has picked one with the switch. */
export function adoptAccountLanguage(language: Language): void {
  if (storedLanguage() === null && language !== current) {
    current = language;
    showLanguageOnPage(language);
  }
}

/** Text of a catalogue key in the current language, with `{name}` placeholders filled. */
export function t(key: CatalogueKey, params?: Record<string, string | number>): string {
  return translate(current, key, params);
}

/** Text of a problem: its own text when it has one, the catalogue's when its key is known, otherwise what the server said. */
export function describe(problem: Problem): string {
  if (problem.text) return problem.text(current);
  if (isCatalogueKey(problem.key)) return t(problem.key);
  return problem.fallback ?? t('validation.invalid');
}
