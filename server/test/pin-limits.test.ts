import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roomNumberFrom } from '@konferenz/testing/customer-mail';
import { registration } from '@konferenz/testing/registration';
import { ApiException } from '../src/common/api-exception';
import type { PinAttemptOrigin } from '../src/rooms/pin-attempt-origin';
import { RoomAccess } from '../src/rooms/room-access.service';
import { SecretHasher } from '../src/security/secret-hasher';
import type { ApiClient } from './support/api-client';
import { joinFrom } from './support/join-from';
import { MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { mailTo, waitForMail } from './support/mail-inbox';
import { startTestApp, type TestApp } from './support/test-app';

const WRONG_PIN = '918273';
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ PIN_MAX_FAILURES_PER_SOURCE: '5', PIN_ROOM_BACKOFF_AFTER: '30' });
});
afterAll(() => app?.close());

async function room(language: 'de' | 'en' = 'de'): Promise<{ roomNumber: string; email: string; owner: ApiClient }> {
  const form = registration({ language });
  await app.client().post('/api/accounts', form);
  const roomNumber = roomNumberFrom((await waitForMail(form.email))[0]!.text);
  const owner = app.client();
  await owner.post('/api/auth/login', { login: form.username, password: form.password });
  await owner.post('/api/account/pins', { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  return { roomNumber, email: form.email, owner };
}

/** A join from `source` (each loopback address is its own network source). */
const join = (roomNumber: string, pin: string, source: string) => joinFrom(app.url, roomNumber, pin, source);

const phone = (address: string, callerId: string, trustedTrunk = false): PinAttemptOrigin => ({ via: 'phone', address, callerId, trustedTrunk });

/** The phone gateway's view: a role, or the refusal code. */
async function dial(roomNumber: string, pin: string, origin: PinAttemptOrigin): Promise<string> {
  try {
    return (await app.app.get(RoomAccess).enter(roomNumber, pin, origin)).role;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

const count = (values: Array<string | number>) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

describe('correct PINs arriving together', () => {
  it('all get in from one browser address, and leave it unlocked', async () => {
    const { roomNumber } = await room();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => join(roomNumber, i % 2 ? MODERATOR_PIN : PARTICIPANT_PIN, '127.0.1.1')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.1.1')).status).toBe(200);
  });

  it('all get in from eight simultaneous calls with one caller id', async () => {
    const { roomNumber } = await room();
    const answers = await Promise.all(Array.from({ length: 8 }, () => dial(roomNumber, PARTICIPANT_PIN, phone('127.0.1.2', '+4930123456'))));
    expect(answers).toEqual(Array(8).fill('participant'));
    expect(await dial(roomNumber, MODERATOR_PIN, phone('127.0.1.2', '+4930123456'))).toBe('moderator');
  });
});

describe('wrong PINs arriving together', () => {
  it('get no more checks than the budget from one browser address', async () => {
    const { roomNumber } = await room();
    const verify = vi.spyOn(app.app.get(SecretHasher), 'verify');
    const answers = await Promise.all(Array.from({ length: 12 }, () => join(roomNumber, WRONG_PIN, '127.0.2.1')));
    expect(count(answers.map((answer) => answer.status))).toEqual({ 401: 5, 429: 7 });
    expect(verify).toHaveBeenCalledTimes(5);
    verify.mockRestore();
    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.2.1')).status).toBe(429);
  });

  it('are counted per network source for phones, whatever caller id each call writes', async () => {
    const { roomNumber } = await room();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => dial(roomNumber, WRONG_PIN, phone('127.0.2.2', `+49301000${i}`))));
    expect(count(answers)).toEqual({ INVALID_ROOM_OR_PIN: 5, TOO_MANY_REQUESTS: 7 });
    expect(await dial(roomNumber, PARTICIPANT_PIN, phone('127.0.2.2', '+4930999999'))).toBe('TOO_MANY_REQUESTS');
    expect(await dial(roomNumber, PARTICIPANT_PIN, phone('127.0.2.3', '+4930999999'))).toBe('participant');
  });

  it('are counted per caller id behind a trusted trunk, whose address keeps a larger budget', async () => {
    const { roomNumber } = await room();
    const callers = await Promise.all(Array.from({ length: 12 }, (_, i) => dial(roomNumber, WRONG_PIN, phone('127.0.2.4', `+49302000${i}`, true))));
    expect(callers).toEqual(Array(12).fill('INVALID_ROOM_OR_PIN'));
    for (let i = 0; i < 5; i++) expect(await dial(roomNumber, WRONG_PIN, phone('127.0.2.4', '+4930777777', true))).toBe('INVALID_ROOM_OR_PIN');
    expect(await dial(roomNumber, PARTICIPANT_PIN, phone('127.0.2.4', '+4930777777', true))).toBe('TOO_MANY_REQUESTS');
    expect(await dial(roomNumber, PARTICIPANT_PIN, phone('127.0.2.4', '+4930888888', true))).toBe('participant');
  });
});

describe('a PIN check the server could not make', () => {
  it('is not counted as a wrong PIN', async () => {
    const { roomNumber } = await room();
    const verify = vi.spyOn(app.app.get(SecretHasher), 'verify').mockRejectedValue(new Error('database gone'));
    const broken = await Promise.all(Array.from({ length: 8 }, () => join(roomNumber, PARTICIPANT_PIN, '127.0.3.1')));
    verify.mockRestore();
    for (const answer of broken) expect(answer.status).toBeGreaterThanOrEqual(500);
    for (let i = 0; i < 4; i++) expect((await join(roomNumber, WRONG_PIN, '127.0.3.1')).status).toBe(401);
    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.3.1')).status).toBe(200);
  });
});

describe('an attack on one room from many addresses', () => {
  it('holds guests off but never locks the moderator out, and tells the owner once', async () => {
    const { roomNumber, email } = await room('en');
    const verify = vi.spyOn(app.app.get(SecretHasher), 'verify');
    const attack = await Promise.all(Array.from({ length: 43 }, (_, i) => join(roomNumber, WRONG_PIN, `127.0.4.${i + 1}`)));
    expect(attack.every((answer) => answer.status === 401 || answer.status === 429)).toBe(true);
    // The room's budget (30 here) holds against a burst from many addresses too; then one check per 3 s.
    expect(verify.mock.calls.length).toBeLessThanOrEqual(33);
    verify.mockRestore();

    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.5.1')).status).toBe(429);
    const started = Date.now();
    const moderator = await join(roomNumber, MODERATOR_PIN, '127.0.5.2');
    expect(moderator.status).toBe(200);
    expect(moderator.body.role).toBe('moderator');
    expect(Date.now() - started).toBeLessThan(5_000);

    const mails = (await waitForMail(email, 2)).filter((mail) => mail.subject.includes('many wrong PINs'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain(roomNumber);
    expect(mails[0]!.text).toMatch(/\d+ wrong PINs were entered for your conference room \d{8}/);
    expect(mails[0]!.text).toContain('Your moderator PIN still works');
    expect(mails[0]!.text).toContain('/account');

    // More failures do not send another mail within the quiet period.
    await Promise.all(Array.from({ length: 3 }, (_, i) => join(roomNumber, WRONG_PIN, `127.0.6.${i + 1}`)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mailTo(email)).filter((mail) => mail.subject.includes('many wrong PINs'))).toHaveLength(1);
  });

  it('lets guests in again once the owner sets a new participant PIN', async () => {
    const { roomNumber, owner } = await room();
    await Promise.all(Array.from({ length: 36 }, (_, i) => join(roomNumber, WRONG_PIN, `127.0.9.${i + 1}`)));
    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.10.1')).status).toBe(429);
    const newPin = '604817';
    expect((await owner.put('/api/account/pins/participant', { pin: newPin })).status).toBe(200);
    const guest = await join(roomNumber, newPin, '127.0.10.2');
    expect(guest.status).toBe(200);
    expect(guest.body.role).toBe('participant');
  });

  it('lets the moderator PIN be guessed at a bounded pace room-wide', async () => {
    const { roomNumber } = await room();
    // 36 failures with a backoff after 30: closed to guests for 2^5 s.
    await Promise.all(Array.from({ length: 36 }, (_, i) => join(roomNumber, WRONG_PIN, `127.0.7.${i + 1}`)));
    expect((await join(roomNumber, PARTICIPANT_PIN, '127.0.8.1')).status).toBe(429);
    const verify = vi.spyOn(app.app.get(SecretHasher), 'verify');
    const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => join(roomNumber, WRONG_PIN, `127.0.8.${i + 2}`)));
    // One turn every 3 s, and no one waits more than 3 s: of 8 simultaneous guesses, 2 or 3 are checked.
    expect(verify.mock.calls.length).toBeLessThanOrEqual(3);
    expect(guesses.every((answer) => answer.status === 429)).toBe(true);
    verify.mockRestore();
  });
});
