import { de, en } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
const uiKeys = Object.keys(de).filter((key) => key.startsWith('ui.')) as (keyof typeof de)[];

describe('ui catalogue', () => {
  it('has texts in both languages', () => {
    expect(uiKeys.length).toBeGreaterThan(50);
    for (const key of uiKeys) {
      expect(de[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in German and English', () => {
    for (const key of uiKeys) expect(placeholders(en[key]), key).toEqual(placeholders(de[key]));
  });
});
