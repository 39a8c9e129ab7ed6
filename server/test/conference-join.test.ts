import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessPinFrom, roomNumberFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import { SecretHasher } from '../src/security/secret-hasher';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { waitForMail } from './support/mail-inbox';
import { postJoinFrom } from './support/join-from';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PIN_MAX_FAILURES_PER_SOURCE: '5', PIN_ROOM_BACKOFF_AFTER: '10' });
});
afterAll(() => app?.close());

/** Each loopback address is a different source to the server: 127.0.0.2, 127.0.0.3, ... */
const joinFrom = (source: number, body: unknown, baseUrl = app.url) => postJoinFrom(baseUrl, `127.0.0.${source}`, body);

const join = (roomNumber: string, pin: string, source = 1) => joinFrom(source, { roomNumber, pin, displayName: 'Gast' });

describe('joining with room number and PIN', () => {
  it('gives the moderator PIN the moderator role and the participant PIN the participant role', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const asModerator = await join(roomNumber, MODERATOR_PIN);
    expect(asModerator.status).toBe(200);
    expect(asModerator.body).toMatchObject({ roomNumber, role: 'moderator', displayName: 'Gast' });
    expect(asModerator.body.token).toMatch(/^[\w-]+\.[\w-]+$/);
    const asParticipant = await join(roomNumber.replace(/(\d{4})/, '$1 '), PARTICIPANT_PIN);
    expect(asParticipant.body.role).toBe('participant');
    expect(asParticipant.body.participantId).not.toBe(asModerator.body.participantId);
  });

  it('lets the mailed access PIN in as moderator until the customer sets PINs', async () => {
    const form = registration();
    await app.client().post('/api/accounts', form);
    const text = (await waitForMail(form.email))[0]!.text;
    expect((await join(roomNumberFrom(text), accessPinFrom(text))).body.role).toBe('moderator');
  });

  it('answers an unknown room exactly like a wrong PIN, after the same hash check', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const verify = vi.spyOn(app.app.get(SecretHasher), 'verify');
    const wrongPin = await join(roomNumber, '918273', 20);
    const unknownRoom = await join('99999999', '918273', 21);
    expect(wrongPin).toEqual(unknownRoom);
    expect(wrongPin).toEqual({
      status: 401,
      body: { code: 'INVALID_ROOM_OR_PIN', message: 'Konferenzraum-Nr. oder PIN ist falsch.', fieldErrors: [], attemptsLeft: 4 },
    });
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });

  it('locks out one source after five failures, telling it the tries left and then until when; other sources still get in', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const left: unknown[] = [];
    for (let i = 0; i < 5; i++) left.push((await join(roomNumber, '918273', 30)).body.attemptsLeft);
    expect(left).toEqual([4, 3, 2, 1, 0]);
    // Another source's failures are not this one's.
    expect((await join(roomNumber, '918273', 32)).body.attemptsLeft).toBe(4);
    const refusedAt = Date.now();
    const locked = await join(roomNumber, PARTICIPANT_PIN, 30);
    expect(locked).toMatchObject({ status: 429, body: { code: 'TOO_MANY_REQUESTS', message: 'Zu viele Versuche. Bitte später erneut versuchen.' } });
    // PIN_LOCKOUT_MINUTES is 15 by default: locked from the refused attempt on.
    const retryAt = Date.parse(locked.body.retryAt);
    expect(retryAt).toBeGreaterThanOrEqual(refusedAt + 15 * 60_000 - 1_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(15 * 60 - 2);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect((await join(roomNumber, PARTICIPANT_PIN, 30)).body.retryAt).toBe(locked.body.retryAt);
    expect((await join(roomNumber, PARTICIPANT_PIN, 31)).status).toBe(200);
  });

  it('closes the room to guests after many failures from many sources, but not to the moderator', async () => {
    const { roomNumber } = await customerWithRoom(app);
    for (let source = 40; source < 51; source++) await join(roomNumber, '918273', source);
    const guest = await join(roomNumber, PARTICIPANT_PIN, 60);
    expect(guest.status).toBe(429);
    expect(guest.body.code).toBe('TOO_MANY_REQUESTS');
    expect((await join(roomNumber, MODERATOR_PIN, 61)).body.role).toBe('moderator');
  });

  it("caps one source's wrong PINs across all rooms", async () => {
    const { roomNumber } = await customerWithRoom(app);
    for (let i = 0; i <= 30; i++) await join(String(90_000_000 + i), '918273', 90);
    const afterSpray = await join(roomNumber, PARTICIPANT_PIN, 90);
    expect(afterSpray.status).toBe(429);
    expect((await join(roomNumber, PARTICIPANT_PIN, 91)).status).toBe(200);
  });

  it('validates the join form', async () => {
    for (const body of [
      {},
      { roomNumber: { $gt: '' }, pin: '1', displayName: 'x' },
      { roomNumber: '1234', pin: '583920', displayName: 'x' },
      { roomNumber: '46792069', pin: '58a920', displayName: 'x' },
      { roomNumber: '46792069', pin: '583920', displayName: 'Gast\u0007' },
      { roomNumber: '46792069', pin: '583920', displayName: 'x'.repeat(41) },
    ]) {
      const response = await joinFrom(70, body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe("hosting one's own room", () => {
  it('gives the logged-in customer a moderator token for their room without a PIN', async () => {
    const { client, roomNumber } = await customerWithRoom(app);
    const hosted = await client.post('/api/conference/host', { displayName: 'Erika' });
    expect(hosted.status).toBe(200);
    expect(hosted.body).toMatchObject({ roomNumber, role: 'moderator', displayName: 'Erika' });
    expect((await app.client().post('/api/conference/host', { displayName: 'Erika' })).status).toBe(401);
  });
});

describe('room settings', () => {
  it("default to the seed's behaviour and can be changed, with validation", async () => {
    const { client } = await customerWithRoom(app);
    const off = { mode: 'off' };
    const defaults = { admission: 'all-on-moderator', moderatorLeaves: 'continue', muteOnEntry: off, entryExitTones: true };
    expect((await client.get('/api/account/room-settings')).body).toEqual(defaults);
    const changed = await client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'end', entryExitTones: false });
    expect(changed.body).toEqual({ admission: 'manual', moderatorLeaves: 'end', muteOnEntry: off, entryExitTones: false });
    expect((await client.get('/api/account/room-settings')).body).toEqual({
      admission: 'manual',
      moderatorLeaves: 'end',
      muteOnEntry: off,
      entryExitTones: false,
    });
    // A client that leaves mute on entry and the tones out (written before they existed) means off and on.
    expect((await client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'end' })).body).toEqual({
      admission: 'manual',
      moderatorLeaves: 'end',
      muteOnEntry: off,
      entryExitTones: true,
    });
    const invalid = await client.put('/api/account/room-settings', { admission: 'everyone', moderatorLeaves: 'end' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.fieldErrors[0].field).toBe('admission');
    const notBoolean = await client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'end', entryExitTones: 'yes' });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.fieldErrors[0].field).toBe('entryExitTones');
  });

  it('keep mute on entry (all, or after 1 to 99 guests), and refuse other counts naming the field', async () => {
    const { client } = await customerWithRoom(app);
    const afterThree = { admission: 'all-on-moderator', moderatorLeaves: 'continue', muteOnEntry: { mode: 'after', guests: 3 }, entryExitTones: true };
    expect((await client.put('/api/account/room-settings', afterThree)).body).toEqual(afterThree);
    expect((await client.get('/api/account/room-settings')).body).toEqual(afterThree);
    for (const guests of [0, 100, '3', { $gt: 0 }]) {
      const invalid = await client.put('/api/account/room-settings', { ...afterThree, muteOnEntry: { mode: 'after', guests } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.fieldErrors[0]).toMatchObject({ field: 'muteOnEntry.guests', code: 'validation.muteOnEntry.guests' });
    }
    expect((await client.get('/api/account/room-settings')).body).toEqual(afterThree);
  });
});

// Last in the file: passport's serializer is process-global, so a second app in this process takes it over.
describe('after a restart', () => {
  it('keeps a source locked out, because the counters live in the database', async () => {
    const { roomNumber } = await customerWithRoom(app);
    for (let i = 0; i < 5; i++) await join(roomNumber, '918273', 80);
    const restarted = await startTestApp({ MONGODB_URI: app.databaseUri });
    try {
      expect((await joinFrom(80, { roomNumber, pin: PARTICIPANT_PIN, displayName: 'Gast' }, restarted.url)).status).toBe(429);
    } finally {
      await restarted.close();
    }
  });
});
