import * as argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from './support/api-client';
import { registration, roomNumberFrom } from './support/fixtures';
import { waitForMail } from './support/mail-inbox';
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
