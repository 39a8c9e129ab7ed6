import { Logger } from '@nestjs/common';
import { DEFAULT_ROOM_SETTINGS } from '@konferenz/shared';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryUsersRepository } from '../../test/support/in-memory-users-repository';
import { mailbox, openLimiter, plainHasher, unitConfig } from '../../test/support/service-fakes';
import type { ApiException } from '../common/api-exception';
import type { AttemptLimiter, AttemptPolicy } from '../security/attempt-limiter.service';
import type { PinAttemptOrigin } from './pin-attempt-origin';
import { RoomAccess } from './room-access.service';
import { RoomsService } from './rooms.service';

const BROWSER: PinAttemptOrigin = { via: 'browser', address: '192.0.2.1' };

/**
 * An AttemptLimiter that writes down what RoomAccess does with each budget (`reserve <key>`,
 * `refund <key>`, ...) and refuses the budgets `refuses` names; the room's turn and the attack
 * mail are granted as long as `turns` and `attackMails` say; a budget's failures left and its
 * lock are what `remaining` and `lockedUntil` say.
 */
function recordingLimiter({
  refuses = (_key: string): boolean => false,
  turns = true,
  attackMails = 1,
  remaining = (_key: string): number => 5,
  lockedUntil = (_key: string): Date | null => null,
} = {}) {
  const calls: string[] = [];
  const policies = new Map<string, AttemptPolicy>();
  let mails = attackMails;
  const limiter = {
    reserve: async (key: string, policy: AttemptPolicy) => {
      calls.push(`reserve ${key}`);
      policies.set(key, policy);
      return !refuses(key);
    },
    refund: async (key: string) => void calls.push(`refund ${key}`),
    fail: async (key: string) => void calls.push(`fail ${key}`),
    clear: async (key: string) => void calls.push(`clear ${key}`),
    takeTurn: async (key: string) => {
      calls.push(`turn ${key}`);
      return turns;
    },
    failWhileLocked: async (key: string) => {
      calls.push(`failWhileLocked ${key}`);
      return 11;
    },
    consume: async (key: string) => {
      calls.push(`consume ${key}`);
      return mails-- > 0;
    },
    remaining: async (key: string) => {
      calls.push(`remaining ${key}`);
      return remaining(key);
    },
    lockedUntil: async (key: string) => {
      calls.push(`lockedUntil ${key}`);
      return lockedUntil(key);
    },
  } as unknown as AttemptLimiter;
  const outcomes = (verb: string) => calls.filter((call) => call.startsWith(`${verb} `)).map((call) => call.slice(verb.length + 1));
  return { limiter, calls, policies, outcomes };
}

/** The ApiException a refused entry throws. */
const refusal = (entry: Promise<unknown>) =>
  entry.then(
    () => expect.fail('let in'),
    (error: unknown) => error as ApiException,
  );

const closedToGuests = (key: string) => key.startsWith('pin-room:');

async function setUp(limiter: AttemptLimiter = openLimiter) {
  const users = new InMemoryUsersRepository();
  const rooms = new RoomsService(plainHasher, unitConfig);
  const { mail, sent } = mailbox();
  const access = new RoomAccess(users, unitConfig, rooms, plainHasher, limiter, mail);
  const owner = users.add({ email: 'owner@example.org' });
  const pins = await rooms.initialPins({ moderatorPin: '583920', participantPin: '740215' });
  Object.assign(users.stored[0]!.room, pins);
  return { users, access, sent, owner, roomNumber: owner.room.number };
}

describe('RoomAccess', () => {
  beforeEach(() => {
    // Every wrong PIN is logged; here they are the point of the test, not news.
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    return () => vi.restoreAllMocks();
  });

  it('lets in the moderator and the participants by their PINs, and nobody else', async () => {
    const { access, roomNumber } = await setUp();
    expect(await access.enter(roomNumber, '583920', BROWSER)).toEqual({ role: 'moderator' });
    expect(await access.enter(roomNumber, '740215', BROWSER)).toEqual({ role: 'participant' });
    await expect(access.enter(roomNumber, '111111', BROWSER)).rejects.toMatchObject({ code: 'INVALID_ROOM_OR_PIN' });
    await expect(access.enter('99999999', '583920', BROWSER)).rejects.toMatchObject({ code: 'INVALID_ROOM_OR_PIN' });
  });

  it("keeps a deleted account's retired room shut", async () => {
    const { users, access, roomNumber } = await setUp();
    users.stored[0]!.deletedAt = new Date();
    await expect(access.enter(roomNumber, '583920', BROWSER)).rejects.toMatchObject({ code: 'INVALID_ROOM_OR_PIN' });
  });

  it('while the room is closed to guests, admits only the moderator and tells the owner of a wrong PIN', async () => {
    const closed = { ...openLimiter, reserve: async (key: string) => !key.startsWith('pin-room:') } as unknown as AttemptLimiter;
    const { access, sent, roomNumber } = await setUp(closed);
    expect(await access.enter(roomNumber, '583920', BROWSER)).toEqual({ role: 'moderator' });
    await expect(access.enter(roomNumber, '740215', BROWSER)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(sent.map((mail) => mail.to)).toEqual(['owner@example.org']);
    expect(sent[0]!.mail.text).toContain(roomNumber);
  });

  it("answers a room's settings, and the defaults for an unknown room or one without settings", async () => {
    const { users, access, roomNumber } = await setUp();
    expect(await access.settings(roomNumber)).toEqual(DEFAULT_ROOM_SETTINGS);
    expect(await access.settings('99999999')).toEqual(DEFAULT_ROOM_SETTINGS);
    const settings = { admission: 'manual', moderatorLeaves: 'end', muteOnEntry: { mode: 'all' }, entryExitTones: false } as const;
    await users.setRoomSettings(users.stored[0]!._id, settings);
    expect(await access.settings(roomNumber)).toEqual(settings);
    // Saved before mute on entry and the tones existed: off, and on.
    users.stored[0]!.room.settings = { admission: 'manual', moderatorLeaves: 'end' };
    expect(await access.settings(roomNumber)).toEqual({ ...settings, muteOnEntry: { mode: 'off' }, entryExitTones: true });
  });

  it("opens a customer's own room without a PIN, unless the account is deleted", async () => {
    const { users, access, owner, roomNumber } = await setUp();
    expect(await access.ownRoom(owner._id.toString())).toEqual({ roomNumber });
    users.stored[0]!.deletedAt = new Date();
    await expect(access.ownRoom(owner._id.toString())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  describe('budgets', () => {
    it('gives back every budget a correct PIN reserved, and charges them all for a wrong one', async () => {
      const { limiter, outcomes } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      const budgets = [`pin-try:ip:192.0.2.1:${roomNumber}`, 'pin-try:ip:192.0.2.1', `pin-room:${roomNumber}`];
      await access.enter(roomNumber, '740215', BROWSER);
      expect(outcomes('reserve')).toEqual(budgets);
      expect(outcomes('refund')).toEqual(budgets);
      await expect(access.enter(roomNumber, '000000', BROWSER)).rejects.toMatchObject({ code: 'INVALID_ROOM_OR_PIN' });
      expect(outcomes('fail')).toEqual(budgets);
    });

    it('charges a guess at a room that does not exist exactly like one at a real room', async () => {
      const { limiter, outcomes } = recordingLimiter();
      const { access } = await setUp(limiter);
      await expect(access.enter('99999999', '583920', BROWSER)).rejects.toMatchObject({ code: 'INVALID_ROOM_OR_PIN' });
      expect(outcomes('fail')).toEqual(['pin-try:ip:192.0.2.1:99999999', 'pin-try:ip:192.0.2.1', 'pin-room:99999999']);
    });

    it('refuses a source out of budget before any PIN is checked, even the right one, and gives back what it held', async () => {
      const { limiter, outcomes } = recordingLimiter({ refuses: (key) => key === 'pin-try:ip:192.0.2.1' });
      const { access, roomNumber } = await setUp(limiter);
      const verify = vi.spyOn(plainHasher, 'verify');
      await expect(access.enter(roomNumber, '583920', BROWSER)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(verify).not.toHaveBeenCalled();
      expect(outcomes('refund')).toEqual([`pin-try:ip:192.0.2.1:${roomNumber}`]);
      expect(outcomes('fail')).toEqual([]);
    });

    it('does not charge a check the server could not make: the error is passed on and the budgets given back', async () => {
      const { limiter, outcomes } = recordingLimiter();
      const { users, access, roomNumber } = await setUp(limiter);
      vi.spyOn(users, 'findActiveByRoomNumber').mockRejectedValue(new Error('database gone'));
      vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      await expect(access.enter(roomNumber, '583920', BROWSER)).rejects.toThrow('database gone');
      await vi.waitFor(() => expect(outcomes('refund')).toHaveLength(3));
      expect(outcomes('fail')).toEqual([]);
    });

    it('counts a phone by its network source and its caller id, an anonymous one by its source only', async () => {
      const phone = (callerId: string): PinAttemptOrigin => ({ via: 'phone', address: '198.51.100.7', callerId, trustedTrunk: false });
      const { limiter, outcomes } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      await access.enter(roomNumber, '740215', phone('+4930111'));
      expect(outcomes('reserve')).toEqual([
        `pin-try:ip:198.51.100.7:${roomNumber}`,
        'pin-try:ip:198.51.100.7',
        `pin-try:phone:+4930111:${roomNumber}`,
        'pin-try:phone:+4930111',
        `pin-room:${roomNumber}`,
      ]);
      const anonymous = recordingLimiter();
      const other = await setUp(anonymous.limiter);
      await other.access.enter(other.roomNumber, '740215', phone('anonymous'));
      expect(anonymous.outcomes('reserve')).toEqual([`pin-try:ip:198.51.100.7:${other.roomNumber}`, 'pin-try:ip:198.51.100.7', `pin-room:${other.roomNumber}`]);
    });

    it("counts a trusted trunk's callers by caller id, and the trunk by a budget twenty times a single source's", async () => {
      const { limiter, outcomes, policies } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      await access.enter(roomNumber, '740215', { via: 'phone', address: '203.0.113.9', callerId: '+4930222', trustedTrunk: true });
      expect(outcomes('reserve')).toEqual([
        `pin-try:phone:+4930222:${roomNumber}`,
        'pin-try:phone:+4930222',
        `pin-try:trunk:ip:203.0.113.9:${roomNumber}`,
        `pin-room:${roomNumber}`,
      ]);
      const { failuresPerSource, lockoutMs } = unitConfig.pinLimits;
      expect(policies.get(`pin-try:phone:+4930222:${roomNumber}`)).toEqual({ maxAttempts: failuresPerSource, windowMs: lockoutMs, lockoutMs });
      expect(policies.get(`pin-try:trunk:ip:203.0.113.9:${roomNumber}`)).toMatchObject({ maxAttempts: failuresPerSource * 20 });
      expect(policies.get('pin-try:phone:+4930222')).toMatchObject({ maxAttempts: 30, windowMs: 3_600_000 });
    });

    it('counts an anonymous caller behind a trusted trunk by the trunk only: no bucket shared by every anonymous caller', async () => {
      const { limiter, outcomes } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      await access.enter(roomNumber, '740215', { via: 'phone', address: '203.0.113.9', callerId: 'anonymous', trustedTrunk: true });
      expect(outcomes('reserve')).toEqual([`pin-try:trunk:ip:203.0.113.9:${roomNumber}`, `pin-room:${roomNumber}`]);
    });

    it('closes the room to guests once its failures fill the budget, backing off exponentially up to 15 minutes', async () => {
      const { limiter, policies } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      await access.enter(roomNumber, '583920', BROWSER);
      const roomPolicy = policies.get(`pin-room:${roomNumber}`)!;
      const after = unitConfig.pinLimits.roomBackoffAfter;
      expect(roomPolicy.maxAttempts).toBe(after);
      const lockout = roomPolicy.lockoutMs as (attempts: number) => number;
      expect([lockout(after + 1), lockout(after + 2), lockout(after + 5), lockout(after + 40)]).toEqual([1_000, 2_000, 16_000, 15 * 60_000]);
    });
  });

  describe('what a refused browser is told about its own budgets', () => {
    it("tells a wrong PIN's failures left, the fewest of its source's budgets allows; a phone is told nothing", async () => {
      const { limiter, outcomes } = recordingLimiter({ remaining: (key) => (key === 'pin-try:ip:192.0.2.1' ? 7 : 2) });
      const { access, roomNumber } = await setUp(limiter);
      const wrong = await refusal(access.enter(roomNumber, '000000', BROWSER));
      expect(wrong).toMatchObject({ code: 'INVALID_ROOM_OR_PIN', details: { attemptsLeft: 2 } });
      // Only the source's own budgets are read, never the room's (other people's failures).
      expect(outcomes('remaining')).toEqual([`pin-try:ip:192.0.2.1:${roomNumber}`, 'pin-try:ip:192.0.2.1']);
      const phone: PinAttemptOrigin = { via: 'phone', address: '198.51.100.7', callerId: '+4930111', trustedTrunk: false };
      const byPhone = await refusal(access.enter(roomNumber, '000000', phone));
      expect([byPhone.code, byPhone.details.attemptsLeft]).toEqual(['INVALID_ROOM_OR_PIN', undefined]);
      expect(outcomes('remaining')).toHaveLength(2);
    });

    it('tells a locked-out source when it may try again: when the last of its locks ends', async () => {
      const roomLock = new Date('2026-12-05T21:30:00Z');
      const anyRoomLock = new Date('2026-12-05T21:47:00Z');
      const { limiter } = recordingLimiter({
        refuses: (key) => key.startsWith('pin-try:'),
        lockedUntil: (key) => (key === 'pin-try:ip:192.0.2.1' ? anyRoomLock : key.startsWith('pin-try:') ? roomLock : null),
      });
      const { access, roomNumber } = await setUp(limiter);
      await expect(access.enter(roomNumber, '740215', BROWSER)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS', details: { retryAt: anyRoomLock } });
    });

    it('tells no time when refused without a lock of its own: checks in flight, or a room closed to guests', async () => {
      const inFlight = recordingLimiter({ refuses: (key) => key.startsWith('pin-try:') });
      const first = await setUp(inFlight.limiter);
      const waited = await refusal(first.access.enter(first.roomNumber, '740215', BROWSER));
      expect([waited.code, waited.details.retryAt]).toEqual(['TOO_MANY_REQUESTS', undefined]);
      const closed = recordingLimiter({ refuses: closedToGuests, turns: false, lockedUntil: () => new Date() });
      const second = await setUp(closed.limiter);
      const closedRoom = await refusal(second.access.enter(second.roomNumber, '583920', BROWSER));
      expect([closedRoom.code, closedRoom.details.retryAt]).toEqual(['TOO_MANY_REQUESTS', undefined]);
      expect(closed.outcomes('lockedUntil')).toEqual([]);
    });
  });

  describe('a room closed to guests', () => {
    it('checks the moderator PIN only in its turn: without one the answer is TOO_MANY_REQUESTS, and nothing is charged', async () => {
      const { limiter, outcomes } = recordingLimiter({ refuses: closedToGuests, turns: false });
      const { access, roomNumber } = await setUp(limiter);
      await expect(access.enter(roomNumber, '583920', BROWSER)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(outcomes('turn')).toEqual([`pin-room-turn:${roomNumber}`]);
      expect(outcomes('refund')).toEqual([`pin-try:ip:192.0.2.1:${roomNumber}`, 'pin-try:ip:192.0.2.1']);
      expect(outcomes('fail')).toEqual([]);
    });

    it('extends its lockout with each wrong PIN, and mails the owner at most once', async () => {
      const { limiter, outcomes } = recordingLimiter({ refuses: closedToGuests, attackMails: 1 });
      const { access, sent, roomNumber } = await setUp(limiter);
      for (const pin of ['740215', '000000']) {
        await expect(access.enter(roomNumber, pin, BROWSER)).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      }
      expect(outcomes('failWhileLocked')).toEqual([`pin-room:${roomNumber}`, `pin-room:${roomNumber}`]);
      expect(outcomes('fail')).toEqual([
        `pin-try:ip:192.0.2.1:${roomNumber}`,
        'pin-try:ip:192.0.2.1',
        `pin-try:ip:192.0.2.1:${roomNumber}`,
        'pin-try:ip:192.0.2.1',
      ]);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.mail.text).toContain('11');
    });

    it('opens again to guests when the owner sets new PINs', async () => {
      const { limiter, outcomes } = recordingLimiter();
      const { access, roomNumber } = await setUp(limiter);
      await access.reopenToGuests(roomNumber);
      expect(outcomes('clear')).toEqual([`pin-room:${roomNumber}`]);
    });
  });
});
