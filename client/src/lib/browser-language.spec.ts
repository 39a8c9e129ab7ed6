import { describe, expect, it } from 'vitest';
import { languageOfBrowser } from './browser-language';

describe('languageOfBrowser', () => {
  it('picks German for a German browser in any region', () => {
    expect(languageOfBrowser(['de-DE', 'en'])).toBe('de');
    expect(languageOfBrowser(['de-AT'])).toBe('de');
    expect(languageOfBrowser(['DE'])).toBe('de');
  });

  it('picks English for every other first preference, even when German comes later', () => {
    expect(languageOfBrowser(['en-US'])).toBe('en');
    expect(languageOfBrowser(['fr-FR', 'de-DE'])).toBe('en');
  });

  it('keeps the default German without any preference', () => {
    expect(languageOfBrowser([])).toBe('de');
  });
});
