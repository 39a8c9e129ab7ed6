import type { Request } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '@konferenz/shared';

/** The client sends its UI language as Accept-Language; anything else falls back to German. */
export function requestLanguage(request: Request): Language {
  const preferred = request.acceptsLanguages('de', 'en');
  return isLanguage(preferred) ? preferred : DEFAULT_LANGUAGE;
}
