import * as argon2 from 'argon2';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessPinFrom, roomNumberFrom, verifyTokenFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import { RoomsService } from '../src/rooms/rooms.service';
import { SecretHasher } from '../src/security/secret-hasher';
import { mailTo, waitForMail } from './support/mail-inbox';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

describe('registration', () => {
  it('writes one user with a permanent 8-digit room number and mails the number and access PIN', async () => {
    const form = registration();
    const response = await app.client().post('/api/accounts', form);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ status: 'check-your-mailbox' });

    const stored = await app.users.find({ emailKey: form.email.toLowerCase() }).lean();
    expect(stored).toHaveLength(1);
    const user = stored[0]!;
    expect(user.room.number).toMatch(/^[1-9]\d{7}$/);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.room.pinsSet).toBe(false);

    const [mail] = await waitForMail(form.email);
    expect(mail!.subject).toContain('Konferenzraum');
    expect(roomNumberFrom(mail!.text)).toBe(user.room.number);
    const accessPin = accessPinFrom(mail!.text);
    expect(accessPin).toMatch(/^\d{6}$/);
    expect(await argon2.verify(user.room.moderatorPinHash!, accessPin)).toBe(true);
    expect(mail!.html).toContain(accessPin);
    expect(mail!.html).toContain('<html lang="de">');
  });

  it('mails in English when the customer chose English', async () => {
    const form = registration({ language: 'en' });
    await app.client().post('/api/accounts', form);
    const [mail] = await waitForMail(form.email);
    expect(mail!.subject).toContain('Welcome to Konferenz');
    expect(mail!.text).toContain('Conference room no.');
  });

  it('escapes markup in names inside the HTML mail', async () => {
    const form = registration({ firstName: '<b>Eve</b>', lastName: 'O\'Brien & "Co"' });
    await app.client().post('/api/accounts', form);
    const [mail] = await waitForMail(form.email);
    expect(mail!.html).toContain('&lt;b&gt;Eve&lt;/b&gt; O&#39;Brien &amp; &quot;Co&quot;');
    expect(mail!.html).not.toContain('<b>Eve</b>');
  });

  it('never hands out the same room number, even for 200 concurrent registrations', async () => {
    const forms = Array.from({ length: 200 }, () => registration());
    // A burst this size on two cores may outrun the database pool's wait limit: the server then
    // sheds load with a clear 503 (never a hang, never a 500), and the client tries again.
    let pending = forms;
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const responses = await Promise.all(pending.map((form) => app.client().post('/api/accounts', form)));
      for (const response of responses) expect([202, 503]).toContain(response.status);
      pending = pending.filter((_, index) => responses[index]!.status === 503);
    }
    expect(pending).toEqual([]);
    const stored = await app.users.find({ emailKey: { $in: forms.map((form) => form.email.toLowerCase()) } }).lean();
    expect(stored).toHaveLength(200);
    expect(new Set(stored.map((user) => user.room.number)).size).toBe(200);
  });

  it('answers a second registration of an email exactly like a new one and tells the owner by mail', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    await waitForMail(form.email);
    const again = await app.client().post('/api/accounts', { ...registration(), email: form.email.toUpperCase() });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ status: 'check-your-mailbox' });
    const mails = await waitForMail(form.email, 2);
    expect(mails[1]!.subject).toContain('Registrierungsversuch');
    expect(mails[1]!.text).toContain(form.username);
    expect(await app.users.countDocuments({ emailKey: form.email.toLowerCase() })).toBe(1);
  });

  it('does the same hashing and database work for a taken email as for a new one', async () => {
    const owner = registration();
    await app.client().post('/api/accounts', owner);
    const work = async (form: Record<string, unknown>) => {
      const operations: string[] = [];
      mongoose.set('debug', (collection: string, method: string) => {
        if (collection === 'users') operations.push(method);
      });
      const hash = vi.spyOn(app.app.get(SecretHasher), 'hash');
      try {
        expect((await app.client().post('/api/accounts', form)).status).toBe(202);
        return { operations, hashes: hash.mock.calls.length };
      } finally {
        mongoose.set('debug', false);
        hash.mockRestore();
      }
    };
    const fresh = await work(registration());
    const taken = await work({ ...registration(), email: owner.email });
    expect(taken).toEqual(fresh);
    expect(fresh).toEqual({ operations: ['find', 'insertOne'], hashes: 2 });
  });

  it('accepts < and > in names, and that customer can start their own conference', async () => {
    const form = registration({ firstName: 'Eve <IT>', lastName: 'Müller>' });
    expect((await app.client().post('/api/accounts', form)).status).toBe(202);
    const client = app.client();
    await client.post('/api/auth/login', { login: form.username, password: form.password });
    await client.post('/api/account/pins', { moderatorPin: '583920', participantPin: '740215' });
    const hosted = await client.post('/api/conference/host', { displayName: 'Eve <IT> Müller>' });
    expect(hosted.status).toBe(200);
    expect(hosted.body.displayName).toBe('Eve <IT> Müller>');
    const [mail] = await waitForMail(form.email);
    expect(mail!.html).toContain('Eve &lt;IT&gt; Müller&gt;');
  });

  it('refuses a taken username, whatever its case, with a field error', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    const taken = await app.client().post('/api/accounts', registration({ username: form.username.toUpperCase() }));
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('USERNAME_TAKEN');
    expect(taken.body.fieldErrors).toEqual([expect.objectContaining({ field: 'username', code: 'error.USERNAME_TAKEN' })]);
    expect(await app.users.countDocuments({ usernameKey: form.username.toLowerCase() })).toBe(1);
  });
});

describe('concurrent registrations of one identity', () => {
  it('keeps one account per email and answers every attempt alike', async () => {
    const email = registration().email;
    const responses = await Promise.all(Array.from({ length: 8 }, () => app.client().post('/api/accounts', registration({ email }))));
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
    expect(await app.users.countDocuments({ emailKey: email })).toBe(1);
    const mails = await waitForMail(email, 8);
    expect(mails.filter((mail) => mail.subject.startsWith('Willkommen'))).toHaveLength(1);
  });

  it('gives a username to exactly one of several concurrent registrations', async () => {
    const username = registration().username;
    const responses = await Promise.all(Array.from({ length: 8 }, () => app.client().post('/api/accounts', registration({ username }))));
    expect(responses.filter((response) => response.status === 202)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(7);
    expect(await app.users.countDocuments({ usernameKey: username })).toBe(1);
  });
});

describe('email verification', () => {
  it('works with the mailed link, and the same link again says already verified', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    const token = verifyTokenFrom((await waitForMail(form.email))[0]!.text);
    const first = await app.client().post('/api/accounts/verify-email', { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 'verified' });
    const user = await app.users.findOne({ emailKey: form.email.toLowerCase() }).lean();
    expect(user!.emailVerifiedAt).toBeInstanceOf(Date);
    const second = await app.client().post('/api/accounts/verify-email', { token });
    // The same link again: the account is already verified, which the page says instead of an error.
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ status: 'already-verified' });
  });

  it('refuses an expired link', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    const token = verifyTokenFrom((await waitForMail(form.email))[0]!.text);
    await app.users.updateOne({ emailKey: form.email.toLowerCase() }, { $set: { 'emailVerification.expiresAt': new Date(Date.now() - 1000) } });
    expect((await app.client().post('/api/accounts/verify-email', { token })).body.code).toBe('TOKEN_INVALID');
  });

  it('stores only a hash of the token', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    const token = verifyTokenFrom((await waitForMail(form.email))[0]!.text);
    const raw = JSON.stringify(await app.users.findOne({ emailKey: form.email.toLowerCase() }).lean());
    expect(raw).not.toContain(token);
  });
});

describe('invalid registrations', () => {
  const valid = () => registration();
  const cases: Array<[string, (form: Record<string, any>) => unknown, string]> = [
    ['missing username', ({ username: _, ...rest }) => rest, 'username'],
    ['missing email', ({ email: _, ...rest }) => rest, 'email'],
    ['missing password', ({ password: _, ...rest }) => rest, 'password'],
    ['missing address', ({ address: _, ...rest }) => rest, 'address'],
    ['missing city', (form) => ({ ...form, address: { ...form.address, city: undefined } }), 'address.city'],
    ['NoSQL operator as username', (form) => ({ ...form, username: { $gt: '' } }), 'username'],
    ['NoSQL operator as email', (form) => ({ ...form, email: { $ne: null } }), 'email'],
    ['NoSQL operator as password', (form) => ({ ...form, password: { $regex: '.*' } }), 'password'],
    ['array as first name', (form) => ({ ...form, firstName: ['Erika'] }), 'firstName'],
    ['number as postal code', (form) => ({ ...form, address: { ...form.address, postalCode: 10115 } }), 'address.postalCode'],
    ['10 kB first name', (form) => ({ ...form, firstName: 'x'.repeat(10_000) }), 'firstName'],
    ['10 kB street', (form) => ({ ...form, address: { ...form.address, street: 'ß'.repeat(10_000) } }), 'address.street'],
    ['unicode username', (form) => ({ ...form, username: 'jürgen' }), 'username'],
    ['emoji-only username', (form) => ({ ...form, username: '😀😀😀' }), 'username'],
    ['control character in last name', (form) => ({ ...form, lastName: 'Muster\u0000mann' }), 'lastName'],
    ['newline in city (header injection)', (form) => ({ ...form, address: { ...form.address, city: 'Berlin\r\nBcc: x@y.z' } }), 'address.city'],
    ['invalid email', (form) => ({ ...form, email: 'not-an-email' }), 'email'],
    ['email with display name', (form) => ({ ...form, email: 'Eve <eve@example.org>' }), 'email'],
    ['short password', (form) => ({ ...form, password: 'kurz' }), 'password'],
    ['common password', (form) => ({ ...form, password: 'Passwort123' }), 'password'],
    ['password containing the username', (form) => ({ ...form, password: `${form.username}-geheim!` }), 'password'],
    ['unknown country', (form) => ({ ...form, address: { ...form.address, country: 'XX' } }), 'address.country'],
    ['unknown language', (form) => ({ ...form, language: 'fr' }), 'language'],
    ['whitespace-only first name', (form) => ({ ...form, firstName: '   ' }), 'firstName'],
    ['invalid phone', (form) => ({ ...form, phone: 'call me maybe' }), 'phone'],
  ];

  it.each(cases)('%s: 400 with a field error and nothing written', async (_name, mutate, field) => {
    const form = valid();
    const response = await app.client().post('/api/accounts', mutate(form as never));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.fieldErrors.map((error: { field: string }) => error.field)).toContain(field);
    expect(response.body.fieldErrors.every((error: { message: string }) => error.message.length > 0)).toBe(true);
    expect(await app.users.countDocuments({ usernameKey: form.username.toLowerCase() })).toBe(0);
    expect(await mailTo(form.email)).toHaveLength(0);
  });

  it('answers field errors in English when asked', async () => {
    const response = await app.client().request('POST', '/api/accounts', { ...valid(), password: 'kurz' }, { headers: { 'accept-language': 'en' } });
    expect(response.body.message).toBe('Please check the highlighted fields.');
    expect(response.body.fieldErrors[0].message).toBe('The password needs at least 10 characters.');
  });

  it('rejects malformed JSON, a non-object body and an oversized body without writing', async () => {
    const before = await app.users.countDocuments();
    const client = app.client();
    const malformed = await client.request('POST', '/api/accounts', undefined, { raw: '{"username": "a",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    const array = await client.request('POST', '/api/accounts', undefined, { raw: '[1,2,3]' });
    expect(array.status).toBe(400);
    const huge = await client.post('/api/accounts', { ...valid(), firstName: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await app.users.countDocuments()).toBe(before);
  });

  it('strips unknown fields instead of storing them', async () => {
    const form = { ...valid(), isAdmin: true, room: { number: '12345678' } };
    expect((await app.client().post('/api/accounts', form)).status).toBe(202);
    const user = await app.users.findOne({ usernameKey: form.username.toLowerCase() }).lean();
    expect(user).not.toHaveProperty('isAdmin');
    expect(user!.room.number).not.toBe('12345678');
  });
});

describe('registration limits', () => {
  it('limits registrations per source address', async () => {
    const limited = await startTestApp({ REGISTRATIONS_PER_IP_PER_HOUR: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.client().post('/api/accounts', registration())).status);
      expect(statuses).toEqual([202, 202, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('room number collisions', () => {
  it('draws another number when the unique index rejects the first', async () => {
    const first = registration();
    await app.client().post('/api/accounts', first);
    const taken = (await app.users.findOne({ emailKey: first.email.toLowerCase() }).lean())!.room.number;

    const rooms = app.app.get(RoomsService);
    const original = rooms.openPersonalRoom.bind(rooms);
    const spy = vi.spyOn(rooms, 'openPersonalRoom').mockImplementationOnce(async () => {
      const opened = await original();
      return { ...opened, room: { ...opened.room, number: taken } };
    });
    const second = registration();
    expect((await app.client().post('/api/accounts', second)).status).toBe(202);
    spy.mockRestore();

    const user = await app.users.findOne({ emailKey: second.email.toLowerCase() }).lean();
    expect(user!.room.number).toMatch(/^[1-9]\d{7}$/);
    expect(user!.room.number).not.toBe(taken);
    expect(roomNumberFrom((await waitForMail(second.email))[0]!.text)).toBe(user!.room.number);
  });
});
