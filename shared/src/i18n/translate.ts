import type { Language } from '../constants/languages';
import { de, type CatalogueKey, type Catalogue } from './de';
import { en } from './en';

const catalogues: Record<Language, Catalogue> = { de, en };

export function isCatalogueKey(key: string): key is CatalogueKey {
  return Object.prototype.hasOwnProperty.call(de, key);
}

/** Looks a key up in the language's catalogue and fills `{name}` placeholders. */
export function translate(language: Language, key: CatalogueKey, params: Record<string, string | number> = {}): string {
  return catalogues[language][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
