import { describe, expect, it } from 'vitest';
import { isCatalogueKey } from '../i18n/translate';
import { pinSetupRequestSchema, registerRequestSchema, updateProfileRequestSchema } from './account';

const valid = {
  username: 'erika.m',
  email: 'erika@example.org',
  password: 'Leuchtturm-Wolke-Kaffee',
  firstName: ' Erika ',
  lastName: 'Mustermann',
  address: { street: 'Hauptstraße', houseNumber: '5a', postalCode: '10115', city: 'Berlin', country: 'DE' },
};

describe('registerRequestSchema', () => {
  it('trims, strips unknown keys and defaults the language to German', () => {
    const parsed = registerRequestSchema.parse({ ...valid, isAdmin: true });
    expect(parsed.firstName).toBe('Erika');
    expect(parsed).not.toHaveProperty('isAdmin');
    expect(parsed.language).toBe('de');
    expect(parsed.company).toBeUndefined();
  });

  it('reports catalogue keys for every problem', () => {
    const result = registerRequestSchema.safeParse({ ...valid, username: { $gt: '' }, email: 'x', firstName: undefined });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(messages).toEqual(
      expect.arrayContaining([
        ['username', 'validation.type.string'],
        ['email', 'validation.email'],
        ['firstName', 'validation.required'],
      ]),
    );
    expect(result.error!.issues.every((issue) => isCatalogueKey(issue.message))).toBe(true);
  });
});

describe('updateProfileRequestSchema', () => {
  it('requires the language instead of silently resetting it to German', () => {
    const profile = { firstName: valid.firstName, lastName: valid.lastName, address: valid.address };
    const result = updateProfileRequestSchema.safeParse(profile);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['language'] })]);
    expect(updateProfileRequestSchema.parse({ ...profile, language: 'en' }).language).toBe('en');
  });
});

describe('pinSetupRequestSchema', () => {
  it('requires two different, non-trivial PINs not taken from the room number', () => {
    const schema = pinSetupRequestSchema('46792069');
    expect(schema.safeParse({ moderatorPin: '583920', participantPin: '740215' }).success).toBe(true);
    const same = schema.safeParse({ moderatorPin: '583920', participantPin: '583920' });
    expect(same.error!.issues[0]!.message).toBe('validation.pin.same');
    const fromRoom = schema.safeParse({ moderatorPin: '679206', participantPin: '740215' });
    expect(fromRoom.error!.issues[0]!.message).toBe('validation.pin.roomNumber');
  });
});
