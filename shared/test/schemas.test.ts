import { describe, expect, it } from 'vitest';
import { de } from '../src/i18n/de';
import { invitationDialIn } from '../src/i18n/dial-in';
import { en } from '../src/i18n/en';
import { isCatalogueKey, translate } from '../src/i18n/translate';
import { formatRoomNumber, ROOM_NUMBER_PATTERN } from '../src/rules/room-number';
import { pinSetupRequestSchema, registerRequestSchema, updateProfileRequestSchema } from '../src/schemas/account';

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

describe('room numbers', () => {
  it('are 8 digits without a leading zero, grouped for reading', () => {
    expect(ROOM_NUMBER_PATTERN.test('46792069')).toBe(true);
    expect(ROOM_NUMBER_PATTERN.test('06792069')).toBe(false);
    expect(ROOM_NUMBER_PATTERN.test('4679206')).toBe(false);
    expect(formatRoomNumber('46792069')).toBe('4679 2069');
  });
});

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

describe('invitation dial-in lines', () => {
  const invitation = (dialIn: string) =>
    translate('de', 'invitation.text', { roomNumber: '4679 2069', participantPin: '740215', joinUrl: 'https://k.example/join', dialIn });

  it('list the numbers, the SIP URI and how to confirm, before the browser link', () => {
    const text = invitation(invitationDialIn('de', { numbers: ['+49 30 1234567', '+41 44 1234567'], sipUri: 'sip:46792069@sip.example:5060' }));
    expect(text).toContain('Teilnehmer-PIN: 740215\n\nPer Telefon teilnehmen: +49 30 1234567, +41 44 1234567\nPer SIP teilnehmen: sip:46792069@sip.example:5060\nKonferenzraum-Nr. und PIN mit # bestätigen.\n\nIm Browser teilnehmen: https://k.example/join');
    expect(invitationDialIn('en', { numbers: ['+49 30 1234567'], sipUri: null })).toBe('Join by phone: +49 30 1234567\nConfirm the conference room number and the PIN with #.\n\n');
  });

  it('are left out when nothing is configured', () => {
    expect(invitationDialIn('de', { numbers: [], sipUri: null })).toBe('');
    expect(invitation('')).toContain('Teilnehmer-PIN: 740215\n\nIm Browser teilnehmen:');
    expect(invitation('')).not.toContain('{dialIn}');
  });
});
