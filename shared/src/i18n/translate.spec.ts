import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { translate } from './translate';

describe('catalogues', () => {
  it('have the same keys in German and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
    for (const catalogue of [de, en]) expect(Object.values(catalogue).every((text) => text.trim().length > 0)).toBe(true);
  });

  it('fill placeholders', () => {
    expect(translate('en', 'mail.welcome.subject', { roomNumber: '4679 2069' })).toBe('Welcome to Konferenz – your personal conference room 4679 2069');
  });

  it('use the same placeholders in German and English', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(de) as (keyof typeof de)[]) expect(placeholders(en[key]), key).toEqual(placeholders(de[key]));
  });
});
