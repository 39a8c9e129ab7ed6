import { Logger } from '@nestjs/common';
import { DEFAULT_ROOM_SETTINGS } from '@konferenz/shared';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryUsersRepository } from '../../test/support/in-memory-users-repository';
import { mailbox, openLimiter, plainHasher, unitConfig } from '../../test/support/service-fakes';
import type { AttemptLimiter } from '../security/attempt-limiter.service';
import type { PinAttemptOrigin } from './pin-attempt-origin';
import { RoomAccess } from './room-access.service';
import { RoomsService } from './rooms.service';

const BROWSER: PinAttemptOrigin = { via: 'browser', address: '192.0.2.1' };

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
    const settings = { admission: 'manual', moderatorLeaves: 'end' } as const;
    await users.setRoomSettings(users.stored[0]!._id, settings);
    expect(await access.settings(roomNumber)).toEqual(settings);
  });

  it("opens a customer's own room without a PIN, unless the account is deleted", async () => {
    const { users, access, owner, roomNumber } = await setUp();
    expect(await access.ownRoom(owner._id.toString())).toEqual({ roomNumber });
    users.stored[0]!.deletedAt = new Date();
    await expect(access.ownRoom(owner._id.toString())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
