import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { InMemoryUsersRepository } from '../../test/support/in-memory-users-repository';
import { openLimiter, plainHasher, unitConfig } from '../../test/support/service-fakes';
import { accountAttemptKey, CredentialsService } from '../auth/credentials.service';
import type { RoomAccess } from '../rooms/room-access.service';
import { RoomsService } from '../rooms/rooms.service';
import type { AttemptLimiter } from '../security/attempt-limiter.service';
import { AccountLinks } from './account-links';
import { AccountService } from './account.service';

const ADDRESS = { street: 'Lindenweg', houseNumber: '7a', postalCode: '80331', city: 'München', country: 'DE' } as const;

function setUp() {
  const users = new InMemoryUsersRepository();
  const rooms = new RoomsService(plainHasher, unitConfig);
  const roomAccess = { reopenToGuests: vi.fn(async (_roomNumber: string) => undefined) };
  const limiter = { ...openLimiter, clear: vi.fn(async (_key: string) => undefined) } as unknown as AttemptLimiter;
  const credentials = new CredentialsService(users, unitConfig, plainHasher, limiter);
  const accounts = new AccountService(users, rooms, roomAccess as unknown as RoomAccess, plainHasher, credentials, limiter, new AccountLinks(unitConfig));
  return { users, rooms, roomAccess, limiter, accounts };
}

async function withPins(moderatorPin = '583920', participantPin = '740215') {
  const setup = setUp();
  const user = setup.users.add({ passwordHash: await plainHasher.hash('correct horse battery') });
  await setup.accounts.setUpPins(user, { moderatorPin, participantPin });
  return { ...setup, user: (await setup.users.findActive(user._id))! };
}

describe('AccountService', () => {
  it('finds active accounts only: a deleted one is UNAUTHENTICATED', async () => {
    const { users, accounts } = setUp();
    const active = users.add();
    const deleted = users.add({ deletedAt: new Date() });
    expect((await accounts.find(active._id)).username).toBe(active.username);
    await expect(accounts.find(deleted._id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('sets up the PINs once; a second setup is PINS_ALREADY_SET', async () => {
    const { users, accounts } = setUp();
    const user = users.add();
    const view = await accounts.setUpPins(user, { moderatorPin: '583920', participantPin: '740215' });
    expect(view).toMatchObject({ pinsSet: true, participantPin: '740215', roomNumber: user.room.number });
    expect(users.stored[0]!.room.moderatorPinHash).toBe('hashed:583920');
    await expect(accounts.setUpPins(user, { moderatorPin: '111222', participantPin: '333444' })).rejects.toMatchObject({ code: 'PINS_ALREADY_SET' });
    expect(users.stored[0]!.room.moderatorPinHash).toBe('hashed:583920');
  });

  it('changes a PIN and reopens the room to guests', async () => {
    const { accounts, roomAccess, user, users } = await withPins();
    expect((await accounts.changeParticipantPin(user, '192837')).participantPin).toBe('192837');
    await accounts.changeModeratorPin((await users.findActive(user._id))!, '564738');
    expect(users.stored[0]!.room.moderatorPinHash).toBe('hashed:564738');
    expect(roomAccess.reopenToGuests).toHaveBeenCalledTimes(2);
    expect(roomAccess.reopenToGuests).toHaveBeenCalledWith(user.room.number);
  });

  it('checks a new PIN again when the other PIN changed after it was read', async () => {
    const { accounts, rooms, user, users } = await withPins();
    // A concurrent request sets the participant PIN to what this request wants as moderator PIN.
    users.stored[0]!.room.participantPinCipher = await rooms.participantPinCipher(user.room, '564738');
    await expect(accounts.changeModeratorPin(user, '564738')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(users.stored[0]!.room.moderatorPinHash).toBe('hashed:583920');
    // Another PIN goes through on the fresh read.
    await accounts.changeModeratorPin(user, '102938');
    expect(users.stored[0]!.room.moderatorPinHash).toBe('hashed:102938');
  });

  it('changes the password after confirming the current one, and moves the session epoch on', async () => {
    const { accounts, user, users } = await withPins();
    await expect(accounts.changePassword(user, 'wrong password', 'a new long passphrase')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(await accounts.changePassword(user, 'correct horse battery', 'a new long passphrase')).toBe(1);
    expect(users.stored[0]!).toMatchObject({ passwordHash: 'hashed:a new long passphrase', sessionEpoch: 1 });
  });

  it('updates the profile and drops a company or phone that is no longer given', async () => {
    const { accounts, users } = setUp();
    const user = users.add({ company: 'Muster GmbH', phone: '+49 30 1234567' });
    const view = await accounts.updateProfile(user, {
      firstName: 'Berta',
      lastName: 'Beispiel',
      address: ADDRESS,
      language: 'en',
      company: 'Neu AG',
      phone: undefined,
    });
    expect(view).toMatchObject({ firstName: 'Berta', company: 'Neu AG', phone: undefined, language: 'en', address: ADDRESS });
    expect(users.stored[0]!).not.toHaveProperty('phone');
  });

  it('deletes an account as a tombstone that keeps the room number and nothing personal', async () => {
    const { accounts, user, users } = await withPins();
    await expect(accounts.delete(user, 'wrong password')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await accounts.delete(user, 'correct horse battery', new Date('2026-01-02T03:04:05Z'));
    const tombstone = users.stored[0]!;
    expect(tombstone).toMatchObject({
      username: `deleted:${user._id.toString()}`,
      email: `deleted:${user._id.toString()}`,
      passwordHash: null,
      firstName: '',
      deletedAt: new Date('2026-01-02T03:04:05Z'),
      room: { number: user.room.number, moderatorPinHash: null, participantPinCipher: null, retiredAt: new Date('2026-01-02T03:04:05Z') },
    });
    expect(tombstone).not.toHaveProperty('address');
    await expect(accounts.find(user._id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await users.isUsernameTaken(user.username)).toBe(false);
  });

  it('shows the account with its room, participant PIN and links, and no participant PIN it cannot decrypt', async () => {
    const { accounts, user, users } = await withPins();
    const view = accounts.view(user);
    expect(view).toMatchObject({ emailVerified: false, roomNumber: user.room.number, pinsSet: true, participantPin: '740215' });
    expect(view.joinUrl).toContain(user.room.number);
    users.stored[0]!.room.participantPinCipher = 'damaged';
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(accounts.view((await users.findActive(user._id))!).participantPin).toBeNull();
    vi.restoreAllMocks();
  });

  it('refuses a new password the rules reject, and keeps the old one', async () => {
    const { accounts, user, users } = await withPins();
    await expect(accounts.changePassword(user, 'correct horse battery', 'short')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      fieldProblems: [expect.objectContaining({ field: 'newPassword' })],
    });
    expect(users.stored[0]!).toMatchObject({ passwordHash: 'hashed:correct horse battery', sessionEpoch: 0 });
  });

  it('gives up a PIN change that keeps losing to concurrent changes, without reopening the room', async () => {
    const { accounts, roomAccess, user, users } = await withPins();
    vi.spyOn(users, 'setModeratorPin').mockResolvedValue(null);
    await expect(accounts.changeModeratorPin(user, '564738')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(users.setModeratorPin).toHaveBeenCalledTimes(3);
    expect(roomAccess.reopenToGuests).not.toHaveBeenCalled();
  });

  it('forgets the login failures of a deleted account', async () => {
    const { accounts, limiter, user } = await withPins();
    await accounts.delete(user, 'correct horse battery');
    expect(limiter.clear).toHaveBeenCalledWith(accountAttemptKey(user._id.toString()));
  });
});
