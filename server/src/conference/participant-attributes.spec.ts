import { describe, expect, it } from 'vitest';
import { patchAttributes } from './participant-attributes';

describe('patchAttributes', () => {
  it('sets the keys named, removes those set to null and keeps the others', () => {
    expect(patchAttributes({ hand: 'raised', lang: 'de' }, { hand: null, mood: 'ok' })).toEqual({ lang: 'de', mood: 'ok' });
    expect(patchAttributes({ hand: 'raised' }, {})).toEqual({ hand: 'raised' });
  });

  it('refuses a change that leaves more than 8 keys, and leaves the attributes as they were', () => {
    const full = Object.fromEntries([...Array(8).keys()].map((i) => [`k${i}`, 'v']));
    expect(patchAttributes(full, { k0: null, extra: 'v' })).toHaveProperty('extra', 'v');
    expect(() => patchAttributes(full, { extra: 'v' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', fieldProblems: [{ field: 'attributes', code: 'validation.attributes.tooMany' }] }),
    );
    expect(Object.keys(full)).toHaveLength(8);
  });
});
