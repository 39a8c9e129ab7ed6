import { describe, expect, it } from 'vitest';
import { isCatalogueKey } from '../i18n/translate';
import { participantAttributesPatchSchema } from './attributes';

const problems = (input: unknown) => participantAttributesPatchSchema.safeParse(input).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);

describe('participantAttributesPatchSchema', () => {
  it('takes short lowercase keys with one-line values up to 64 characters, and null to remove', () => {
    const patch = { hand: 'raised', 'lang_pref-2': 'x'.repeat(64), [`k${'a'.repeat(31)}`]: '', gone: null };
    expect(participantAttributesPatchSchema.parse(patch)).toEqual(patch);
  });

  it('refuses other keys, long or multi-line values and more than 8 keys, each with a catalogue key', () => {
    expect(problems({ Hand: 'up' })).toEqual([['Hand', 'validation.attributes.key']]);
    expect(problems({ '1st': 'up' })).toEqual([['1st', 'validation.attributes.key']]);
    expect(problems({ [`k${'a'.repeat(32)}`]: 'up' })?.[0]?.[1]).toBe('validation.attributes.key');
    expect(problems({ hand: 'x'.repeat(65) })).toEqual([['hand', 'validation.tooLong']]);
    expect(problems({ hand: 'up\ndown' })).toEqual([['hand', 'validation.controlCharacters']]);
    expect(problems(Object.fromEntries([...Array(9).keys()].map((i) => [`k${i}`, 'v'])))).toEqual([['', 'validation.attributes.tooMany']]);
    for (const message of ['validation.attributes.key', 'validation.attributes.tooMany']) expect(isCatalogueKey(message)).toBe(true);
  });

  it('refuses values that are not text, and a list instead of a map', () => {
    expect(participantAttributesPatchSchema.safeParse({ hand: 1 }).success).toBe(false);
    expect(participantAttributesPatchSchema.safeParse({ hand: { $ne: '' } }).success).toBe(false);
    expect(participantAttributesPatchSchema.safeParse(['hand']).success).toBe(false);
  });
});
