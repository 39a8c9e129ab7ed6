import { getModelToken } from '@nestjs/mongoose';
import * as argon2 from 'argon2';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roomNumberFrom, verifyTokenFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import { AccountService } from '../src/accounts/account.service';
import { accountAttemptKey } from '../src/auth/credentials.service';
import { MailService } from '../src/mail/mail.service';
import { RoomsService } from '../src/rooms/rooms.service';
import { AttemptCounter } from '../src/security/attempt-counter.schema';
import type { ApiClient } from './support/api-client';
import { mailTo, waitForMail } from './support/mail-inbox';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

async function loggedIn(): Promise<{ client: ApiClient; form: ReturnType<typeof registration>; roomNumber: string }> {
  const form = registration();
  await app.client().post('/api/accounts', form);
  const roomNumber = roomNumberFrom((await waitForMail(form.email))[0]!.text);
  const client = app.client();
  await client.post('/api/auth/login', { login: form.username, password: form.password });
  return { client, form, roomNumber };
}

async function userOf(form: { username: string }) {
  return (await app.users.findOne({ usernameKey: form.username.toLowerCase() }).lean())!;
}

async function withPins() {
  const session = await loggedIn();
  const response = await session.client.post('/api/account/pins', { moderatorPin: '583920', participantPin: '740215' });
  expect(response.status).toBe(200);
  return session;
}

describe('first login', () => {
  it('shows the account but refuses every other customer action until both PINs are set', async () => {
    const { client, roomNumber } = await loggedIn();
    const account = await client.get('/api/account');
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ roomNumber, pinsSet: false, participantPin: null });
    // The test app runs without SIP gateway (SIP_PORT 0) and without DIAL_IN_NUMBERS.
    expect(account.body.dialIn).toEqual({ numbers: [], sipUri: null });
    for (const [method, path, body] of [
      ['PUT', '/api/account/pins/participant', { pin: '740215' }],
      ['PUT', '/api/account/pins/moderator', { pin: '740215' }],
      ['PUT', '/api/account/password', { currentPassword: 'x', newPassword: 'Neues-Passwort-2026' }],
      ['POST', '/api/account/verification-email', {}],
      ['POST', '/api/account/deletion', { password: 'x' }],
    ] as const) {
      const response = await client.request(method, path, body);
      expect(response.status, path).toBe(403);
      expect(response.body.code).toBe('PIN_SETUP_REQUIRED');
    }
  });

  it.each([
    [{ moderatorPin: '123456', participantPin: '740215' }, 'moderatorPin', 'validation.pin.trivial'],
    [{ moderatorPin: '000000', participantPin: '740215' }, 'moderatorPin', 'validation.pin.trivial'],
    [{ moderatorPin: '583920', participantPin: '121212' }, 'participantPin', 'validation.pin.trivial'],
    [{ moderatorPin: '12345', participantPin: '740215' }, 'moderatorPin', 'validation.pin.format'],
    [{ moderatorPin: '583920a', participantPin: '740215' }, 'moderatorPin', 'validation.pin.format'],
    [{ moderatorPin: '583920', participantPin: '583920' }, 'participantPin', 'validation.pin.same'],
    [{ moderatorPin: 583920, participantPin: '740215' }, 'moderatorPin', 'validation.type.string'],
    [{ moderatorPin: { $ne: '' }, participantPin: '740215' }, 'moderatorPin', 'validation.type.string'],
  ])('refuses %j (%s: %s)', async (body, field, code) => {
    const { client } = await loggedIn();
    const response = await client.post('/api/account/pins', body);
    expect(response.status).toBe(400);
    expect(response.body.fieldErrors).toContainEqual(expect.objectContaining({ field, code }));
    expect((await client.get('/api/account')).body.pinsSet).toBe(false);
  });

  it('refuses a PIN taken from the room number', async () => {
    const { client, roomNumber } = await loggedIn();
    const response = await client.post('/api/account/pins', { moderatorPin: roomNumber, participantPin: '740215' });
    expect(response.body.fieldErrors).toContainEqual(expect.objectContaining({ field: 'moderatorPin', code: 'validation.pin.roomNumber' }));
  });

  it('stores the moderator PIN as an argon2id hash and the participant PIN encrypted, and shows the participant PIN', async () => {
    const { client, form } = await withPins();
    const account = (await client.get('/api/account')).body;
    expect(account).toMatchObject({ pinsSet: true, participantPin: '740215' });
    const user = (await app.users.findOne({ usernameKey: form.username.toLowerCase() }).lean())!;
    expect(user.room.moderatorPinHash).toMatch(/^\$argon2id\$/);
    expect(await argon2.verify(user.room.moderatorPinHash!, '583920')).toBe(true);
    expect(user.room.participantPinCipher).toMatch(/^v1:/);
    expect(JSON.stringify(user)).not.toContain('740215');
  });

  it('can be done once only', async () => {
    const { client } = await withPins();
    const again = await client.post('/api/account/pins', { moderatorPin: '918273', participantPin: '564738' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('PINS_ALREADY_SET');
  });
});

describe('customer area', () => {
  it('changes the participant PIN (shown at once) and the moderator PIN, never to the same value', async () => {
    const { client, form } = await withPins();
    const changed = await client.put('/api/account/pins/participant', { pin: '918273' });
    expect(changed.status).toBe(200);
    expect(changed.body.participantPin).toBe('918273');
    expect((await client.put('/api/account/pins/moderator', { pin: '918273' })).body.fieldErrors[0].code).toBe('validation.pin.same');
    expect((await client.put('/api/account/pins/participant', { pin: '583920' })).body.fieldErrors[0].code).toBe('validation.pin.same');
    expect((await client.put('/api/account/pins/moderator', { pin: '650194' })).status).toBe(204);
    const user = (await app.users.findOne({ usernameKey: form.username.toLowerCase() }).lean())!;
    expect(await argon2.verify(user.room.moderatorPinHash!, '650194')).toBe(true);
  });

  it('has no way to change the room number', async () => {
    const { client, roomNumber } = await withPins();
    const profile = (await client.get('/api/account')).body;
    const attempt = await client.put('/api/account/profile', {
      firstName: profile.firstName,
      lastName: profile.lastName,
      address: profile.address,
      language: 'en',
      roomNumber: '12345678',
      room: { number: '12345678' },
    });
    expect(attempt.status).toBe(200);
    expect(attempt.body.roomNumber).toBe(roomNumber);
    expect(attempt.body.language).toBe('en');
    for (const path of ['/api/account/room', '/api/account/room-number']) {
      expect((await client.put(path, { roomNumber: '12345678' })).status).toBe(404);
    }
  });

  it('edits the profile, adding and removing optional fields', async () => {
    const { client } = await withPins();
    const base = (await client.get('/api/account')).body;
    const update = { firstName: 'Erika', lastName: 'Musterfrau', address: { ...base.address, city: 'München' }, language: 'de' };
    const withCompany = await client.put('/api/account/profile', { ...update, company: 'ACME GmbH', phone: '+49 30 123456' });
    expect(withCompany.body).toMatchObject({ lastName: 'Musterfrau', company: 'ACME GmbH', phone: '+49 30 123456', address: { city: 'München' } });
    const without = await client.put('/api/account/profile', update);
    expect(without.body.company).toBeUndefined();
    expect(without.body.phone).toBeUndefined();
    const invalid = await client.put('/api/account/profile', { ...update, address: { ...update.address, postalCode: '!' } });
    expect(invalid.status).toBe(400);
    expect((await client.get('/api/account')).body.address.postalCode).toBe(base.address.postalCode);
  });

  it('changes the password only with the current one', async () => {
    const { client, form } = await withPins();
    const wrong = await client.put('/api/account/password', { currentPassword: 'falsch-falsch-falsch', newPassword: 'Neues-Passwort-2026' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.fieldErrors[0].field).toBe('currentPassword');
    const weak = await client.put('/api/account/password', { currentPassword: form.password, newPassword: 'passwort123' });
    expect(weak.status).toBe(400);
    expect((await client.put('/api/account/password', { currentPassword: form.password, newPassword: 'Neues-Passwort-2026' })).status).toBe(204);
    expect((await app.client().post('/api/auth/login', { login: form.username, password: form.password })).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { login: form.username, password: 'Neues-Passwort-2026' })).status).toBe(200);
  });

  it('resends the verification mail with a new link, at most once a minute', async () => {
    const { client, form } = await withPins();
    await app.users.updateOne({ usernameKey: form.username.toLowerCase() }, { $set: { 'emailVerification.sentAt': new Date(Date.now() - 120_000) } });
    expect((await client.post('/api/account/verification-email')).status).toBe(204);
    const mails = await waitForMail(form.email, 2);
    expect(mails[1]!.subject).toContain('bestätigen');
    expect((await client.post('/api/account/verification-email')).status).toBe(429);
  });

  it('deletes the account on password confirmation, keeping the room number retired forever', async () => {
    const { client, form, roomNumber } = await withPins();
    expect((await client.post('/api/account/deletion', { password: 'falsch-falsch-falsch' })).status).toBe(401);
    expect((await client.post('/api/account/deletion', { password: form.password })).status).toBe(204);
    expect((await client.get('/api/account')).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { login: form.username, password: form.password })).status).toBe(401);

    const tombstone = (await app.users.findOne({ 'room.number': roomNumber }).lean())!;
    expect(tombstone.deletedAt).toBeInstanceOf(Date);
    expect(tombstone.room).toMatchObject({ number: roomNumber, moderatorPinHash: null, participantPinCipher: null });
    const stored = JSON.stringify(tombstone);
    for (const personal of [form.email, form.username, form.lastName, form.address.street]) expect(stored).not.toContain(personal);
    expect(tombstone.passwordHash).toBeNull();

    await expect(
      app.users.create({ ...registration(), usernameKey: 'x-retired', emailKey: 'x-retired@example.org', language: 'de', room: { number: roomNumber } }),
    ).rejects.toMatchObject({ code: 11000 });

    const reRegistered = registration({ username: form.username, email: form.email });
    expect((await app.client().post('/api/accounts', reRegistered)).status).toBe(202);
    const fresh = (await app.users.findOne({ emailKey: form.email.toLowerCase() }).lean())!;
    expect(fresh.room.number).not.toBe(roomNumber);
  });
});

describe('password confirmations', () => {
  it('draw on the login budget of the account: after too many wrong ones even the right password is refused', async () => {
    const { client, form } = await withPins();
    for (let i = 0; i < 3; i++) {
      expect((await client.put('/api/account/password', { currentPassword: 'falsch-falsch-falsch', newPassword: 'Neues-Passwort-2026' })).status).toBe(401);
    }
    for (let i = 0; i < 2; i++) expect((await client.post('/api/account/deletion', { password: 'falsch-falsch-falsch' })).status).toBe(401);
    const locked = await client.post('/api/account/deletion', { password: form.password });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect((await app.client().post('/api/auth/login', { login: form.username, password: form.password })).status).toBe(429);
    expect((await userOf(form)).deletedAt).toBeNull();
  });

  it('leave no attempt counter behind when the account is deleted', async () => {
    const { client, form } = await withPins();
    const counters = app.app.get<Model<AttemptCounter>>(getModelToken(AttemptCounter.name));
    const key = accountAttemptKey((await userOf(form))._id.toString());
    await app.client().post('/api/auth/login', { login: form.username, password: 'falsch-falsch-falsch' });
    expect(await counters.countDocuments({ key })).toBe(1);
    expect((await client.post('/api/account/deletion', { password: form.password })).status).toBe(204);
    expect(await counters.countDocuments({ key })).toBe(0);
  });
});

describe('changing the password', () => {
  it('ends every other session and renews the id of the current one', async () => {
    const { client, form } = await withPins();
    const other = app.client();
    await other.post('/api/auth/login', { login: form.username, password: form.password });
    expect((await other.get('/api/account')).status).toBe(200);
    const before = client.cookie!;

    expect((await client.put('/api/account/password', { currentPassword: form.password, newPassword: 'Neues-Passwort-2026' })).status).toBe(204);
    expect(client.cookie).not.toBe(before);
    expect((await client.get('/api/account')).status).toBe(200);
    expect((await other.get('/api/account')).status).toBe(401);
    expect((await other.get('/api/auth/session')).body).toEqual({ authenticated: false });
    expect((await app.client().request('GET', '/api/account', undefined, { headers: { cookie: before } })).status).toBe(401);
    expect((await userOf(form)).sessionEpoch).toBe(1);
  });
});

describe('participant PIN that cannot be decrypted', () => {
  it('shows no PIN instead of breaking the customer area, and can be replaced', async () => {
    const { client, form } = await withPins();
    await app.users.updateOne({ usernameKey: form.username.toLowerCase() }, { $set: { 'room.participantPinCipher': 'v1:AAAA:BBBB:CCCC' } });
    const account = await client.get('/api/account');
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ pinsSet: true, participantPin: null });
    expect((await client.put('/api/account/pins/participant', { pin: '918273' })).body.participantPin).toBe('918273');
  });
});

describe('concurrent PIN changes', () => {
  it('never leave both PINs equal: a change that raced with the other PIN is checked again', async () => {
    const { client, form } = await withPins();
    const second = app.client();
    await second.post('/api/auth/login', { login: form.username, password: form.password });
    const rooms = app.app.get(RoomsService);
    const original = rooms.moderatorPinHash.bind(rooms);
    // Between the check of the moderator PIN and its write, the other session sets the participant PIN to the same value.
    const spy = vi.spyOn(rooms, 'moderatorPinHash').mockImplementationOnce(async (room, pin) => {
      const hash = await original(room, pin);
      expect((await second.put('/api/account/pins/participant', { pin })).status).toBe(200);
      return hash;
    });
    const raced = await client.put('/api/account/pins/moderator', { pin: '650194' });
    spy.mockRestore();
    expect(raced.status).toBe(400);
    expect(raced.body.fieldErrors[0].code).toBe('validation.pin.same');
    const room = (await userOf(form)).room;
    expect(await argon2.verify(room.moderatorPinHash!, '583920')).toBe(true);
    expect(rooms.participantPin(room)).toBe('650194');
  });
});

describe('resending the verification mail', () => {
  it('sends exactly one mail for parallel requests', async () => {
    const { client, form } = await withPins();
    await app.users.updateOne({ usernameKey: form.username.toLowerCase() }, { $set: { 'emailVerification.sentAt': new Date(Date.now() - 120_000) } });
    const responses = await Promise.all(Array.from({ length: 5 }, () => client.post('/api/account/verification-email')));
    expect(responses.map((response) => response.status).sort()).toEqual([204, 429, 429, 429, 429]);
    await waitForMail(form.email, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await mailTo(form.email)).toHaveLength(2);
  });

  it('keeps the old link working when the new mail cannot be sent', async () => {
    const { client, form } = await withPins();
    const oldToken = verifyTokenFrom((await waitForMail(form.email))[0]!.text);
    await app.users.updateOne({ usernameKey: form.username.toLowerCase() }, { $set: { 'emailVerification.sentAt': new Date(Date.now() - 120_000) } });
    const spy = vi.spyOn(app.app.get(MailService), 'send').mockRejectedValueOnce(new Error('SMTP server unreachable'));
    const failed = await client.post('/api/account/verification-email');
    spy.mockRestore();
    expect(failed.status).toBe(500);
    expect((await app.client().post('/api/accounts/verify-email', { token: oldToken })).status).toBe(200);
  });
});

describe('dial-in numbers', () => {
  let dialInApp: TestApp;
  beforeAll(async () => {
    dialInApp = await startTestApp({ DIAL_IN_NUMBERS: '+49 30 1234567, +41 44 7654321' });
  });
  afterAll(() => dialInApp?.close());

  it('appear in the account view and in the welcome mail', async () => {
    const form = registration();
    expect((await dialInApp.client().post('/api/accounts', form)).status).toBe(202);
    const [welcome] = await waitForMail(form.email);
    expect(welcome!.text).toContain('Einwahl per Telefon: +49 30 1234567, +41 44 7654321');
    expect(welcome!.html).toContain('href="tel:+49301234567"');
    expect(welcome!.html).toContain('href="tel:+41447654321"');
    // Read through the service: passport is process-global, so a login would be answered by the first app's session lookup.
    const user = (await dialInApp.users.findOne({ usernameKey: form.username.toLowerCase() }))!;
    expect(dialInApp.app.get(AccountService).view(user).dialIn).toEqual({ numbers: ['+49 30 1234567', '+41 44 7654321'], sipUri: null });
  });
});
