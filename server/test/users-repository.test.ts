import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { withDefaultRoomSettings } from '@konferenz/shared';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { User } from '../src/users/user.schema';
import { USERS_REPOSITORY, type NewUser, type UsersRepository } from '../src/users/users-repository';
import { UsersModule } from '../src/users/users.module';

/** The real UsersRepository on the run's FerretDB, in a database of this file's own. */
let module: TestingModule;
let users: UsersRepository;
let model: Model<User>;

beforeAll(async () => {
  const uri = `mongodb://127.0.0.1:${inject('databasePort')}/konferenz_${randomUUID().slice(0, 8)}?maxPoolSize=1`;
  module = await Test.createTestingModule({ imports: [MongooseModule.forRoot(uri), UsersModule] }).compile();
  users = module.get(USERS_REPOSITORY);
  model = module.get(getModelToken(User.name));
  // The unique indexes must exist before the first insert, as in the app.
  await model.init();
});
afterAll(async () => {
  await module.close();
});

let serial = 0;
function newUser(fields: Partial<NewUser> = {}): NewUser {
  serial++;
  return {
    username: `Anna${serial}`,
    email: `Anna${serial}@Example.org`,
    passwordHash: 'hash',
    firstName: 'Anna',
    lastName: 'Muster',
    company: 'Muster GmbH',
    phone: '+49 30 1234567',
    address: { street: 'Hauptstraße', houseNumber: '1', postalCode: '10115', city: 'Berlin', country: 'DE' },
    language: 'de',
    emailVerification: { tokenHash: `token-${serial}`, expiresAt: new Date(Date.now() + 60_000), sentAt: new Date() },
    room: { number: String(20_000_000 + serial), moderatorPinHash: 'pin-hash', participantPinCipher: null, pinsSet: false, retiredAt: null },
    ...fields,
  };
}

async function created(fields: Partial<NewUser> = {}) {
  const user = newUser(fields);
  expect(await users.createWithRoom(user)).toBe('created');
  return (await users.findActiveByLogin(user.username))!;
}

describe('UsersRepository on FerretDB', () => {
  it('creates an account with its room, unique by username, email (any case) and room number', async () => {
    const first = await created();
    expect(first).toMatchObject({ usernameKey: first.username.toLowerCase(), emailKey: first.email.toLowerCase(), sessionEpoch: 0, deletedAt: null });
    expect(await users.createWithRoom(newUser({ username: first.username.toUpperCase() }))).toBe('taken');
    expect(await users.createWithRoom(newUser({ email: ` ${first.email.toUpperCase()}` }))).toBe('taken');
    expect(await users.createWithRoom(newUser({ room: { ...first.room, pinsSet: false } }))).toBe('taken');
    expect(await users.isUsernameTaken(first.username.toUpperCase())).toBe(true);
    expect(await users.isEmailTaken(first.email.toLowerCase())).toBe(true);
    expect(await users.isEmailTaken('nobody@example.org')).toBe(false);
    await expect(users.createWithRoom({ ...newUser(), firstName: undefined as unknown as string })).rejects.toThrow(/firstName/);
  });

  it('tells its own insert whose reply was lost from a collision, and undoes an insert that failed unanswered', async () => {
    const create = model.create.bind(model);
    // The driver retried an insert that had landed: the retry meets its own _id (MongoDB names the index; FerretDB does not retry).
    const retried = newUser();
    const spy = vi.spyOn(model, 'create').mockImplementationOnce((async (document: unknown) => {
      await create(document as User);
      throw Object.assign(new Error('E11000 duplicate key error collection: users index: _id_'), { code: 11000, keyPattern: { _id: 1 } });
    }) as unknown as typeof model.create);
    expect(await users.createWithRoom(retried)).toBe('created');
    expect(await users.isUsernameTaken(retried.username)).toBe(true);
    // The insert landed but its reply timed out: the request fails, and the account does not stay behind.
    const lost = newUser();
    spy.mockImplementationOnce((async (document: unknown) => {
      await create(document as User);
      throw Object.assign(new Error('connection timed out'), { name: 'MongoNetworkTimeoutError' });
    }) as unknown as typeof model.create);
    await expect(users.createWithRoom(lost)).rejects.toThrow(/timed out/);
    await vi.waitFor(async () => expect(await users.isUsernameTaken(lost.username)).toBe(false));
    spy.mockRestore();
    expect(await users.createWithRoom(lost)).toBe('created');
  });

  it('finds by login (username, or email when it has an @), by email, by room number and by id', async () => {
    const user = await created();
    expect((await users.findActiveByLogin(user.email.toUpperCase()))?._id).toEqual(user._id);
    expect((await users.findByEmail(user.email))?._id).toEqual(user._id);
    expect((await users.findActiveByRoomNumber(user.room.number))?._id).toEqual(user._id);
    expect((await users.findActive(user._id.toString()))?.username).toBe(user.username);
    expect(await users.findContactByLogin(user.username)).toEqual({
      _id: user._id,
      username: user.username,
      email: user.email,
      firstName: 'Anna',
      lastName: 'Muster',
      language: 'de',
    });
    expect(await users.findSessionFacts(user._id.toString())).toEqual({
      _id: user._id,
      username: user.username,
      language: 'de',
      sessionEpoch: 0,
      room: { pinsSet: false },
    });
  });

  it('names at most two holders of a username or an email, with what it takes to write to them', async () => {
    const byName = await created();
    const byEmail = await created();
    const holders = await users.findIdentityHolders(byName.username, byEmail.email);
    expect(holders.map((holder) => holder.username).sort()).toEqual([byName.username, byEmail.username].sort());
    expect(Object.keys(holders[0]!).sort()).toEqual(['_id', 'email', 'emailKey', 'firstName', 'language', 'lastName', 'username', 'usernameKey']);
  });

  it('sets the first PINs once, and each PIN only while the other is as it was read', async () => {
    const user = await created();
    const pinned = await users.setInitialPins(user._id, { moderatorPinHash: 'm1', participantPinCipher: 'p1' });
    expect(pinned?.room).toMatchObject({ moderatorPinHash: 'm1', participantPinCipher: 'p1', pinsSet: true });
    expect(await users.setInitialPins(user._id, { moderatorPinHash: 'm9', participantPinCipher: 'p9' })).toBeNull();
    expect(await users.setModeratorPin(user._id, 'm2', 'stale')).toBeNull();
    expect((await users.setModeratorPin(user._id, 'm2', 'p1'))?.room.moderatorPinHash).toBe('m2');
    expect(await users.setParticipantPin(user._id, 'p2', 'm1')).toBeNull();
    expect((await users.setParticipantPin(user._id, 'p2', 'm2'))?.room).toMatchObject({ moderatorPinHash: 'm2', participantPinCipher: 'p2' });
  });

  it('sets a password with a new session epoch, and updates the profile dropping what is no longer given', async () => {
    const user = await created();
    expect(await users.setPassword(user._id, 'new-hash')).toBe(1);
    expect(await users.setPassword(user._id, 'newer-hash')).toBe(2);
    expect((await users.findActive(user._id))?.passwordHash).toBe('newer-hash');
    const updated = await users.updateProfile(user._id, {
      firstName: 'Berta',
      lastName: 'Beispiel',
      address: { street: 'Lindenweg', houseNumber: '7a', postalCode: '80331', city: 'München', country: 'DE' },
      language: 'en',
      company: undefined,
      phone: '+49 89 7654321',
    });
    expect(updated).toMatchObject({ firstName: 'Berta', language: 'en', phone: '+49 89 7654321', address: { city: 'München' } });
    expect((await model.findById(user._id).lean())!).not.toHaveProperty('company');
  });

  it('verifies an email by an unexpired link once, and replaces a link at most as often as the cooldown allows', async () => {
    const user = await created();
    const now = new Date();
    expect(await users.verifyEmail(user.emailVerification!.tokenHash, new Date(now.getTime() + 120_000))).toBe('invalid');
    const next = { tokenHash: 'next', expiresAt: new Date(now.getTime() + 60_000), sentAt: now };
    expect(await users.replaceEmailVerification(user._id, next, new Date(now.getTime() - 60_000))).toBeNull();
    const replaced = await users.replaceEmailVerification(user._id, next, now);
    expect(replaced?.previous?.tokenHash).toBe(user.emailVerification!.tokenHash);
    await users.restoreEmailVerification(user._id, 'another', replaced!.previous);
    expect((await users.findActive(user._id))?.emailVerification?.tokenHash).toBe('next');
    await users.restoreEmailVerification(user._id, 'next', replaced!.previous);
    expect((await users.findActive(user._id))?.emailVerification?.tokenHash).toBe(user.emailVerification!.tokenHash);
    expect(await users.verifyEmail(user.emailVerification!.tokenHash, now)).toBe('verified');
    expect(await users.verifyEmail(user.emailVerification!.tokenHash, now)).toBe('already-verified');
    expect(await users.verifyEmail('never-sent', now)).toBe('invalid');
    expect(await users.findActive(user._id)).toMatchObject({ emailVerifiedAt: now, emailVerification: null });
    expect(await users.replaceEmailVerification(user._id, next, now)).toBeNull();
  });

  it("keeps room settings, and reads the defaults' absence as undefined", async () => {
    const user = await created();
    expect(await users.findRoomSettings(user.room.number)).toBeUndefined();
    const settings = { admission: 'manual', moderatorLeaves: 'end', muteOnEntry: { mode: 'after', guests: 3 }, entryExitTones: false } as const;
    await users.setRoomSettings(user._id, settings);
    expect(await users.findRoomSettings(user.room.number)).toEqual(settings);
    expect(await users.findOwnRoomSettings(user._id.toString())).toEqual(settings);
    await users.setRoomSettings(user._id, { ...settings, muteOnEntry: { mode: 'all' } });
    expect(await users.findRoomSettings(user.room.number)).toEqual({ ...settings, muteOnEntry: { mode: 'all' } });
    expect(await users.findRoomSettings('99999999')).toBeUndefined();
  });

  it('reads settings stored before mute on entry and the tones existed as stored: their defaults apply above it (withDefaultRoomSettings)', async () => {
    const user = await created();
    await model.collection.updateOne({ _id: user._id }, { $set: { 'room.settings': { admission: 'manual', moderatorLeaves: 'end' } } });
    const stored = { admission: 'manual', moderatorLeaves: 'end' };
    expect(await users.findRoomSettings(user.room.number)).toEqual(stored);
    expect(withDefaultRoomSettings(await users.findOwnRoomSettings(user._id.toString()))).toEqual({
      ...stored,
      muteOnEntry: { mode: 'off' },
      entryExitTones: true,
    });
  });

  it('retires an account to a tombstone that keeps its room number from ever being drawn again', async () => {
    const user = await created();
    const now = new Date();
    await users.retire(user._id, { number: user.room.number, moderatorPinHash: null, participantPinCipher: null, pinsSet: false, retiredAt: now }, now);
    const tombstone = (await model.findById(user._id).lean())!;
    expect(tombstone).toMatchObject({
      username: `deleted:${user._id.toString()}`,
      emailKey: `deleted:${user._id.toString()}`,
      passwordHash: null,
      deletedAt: now,
    });
    expect(tombstone).not.toHaveProperty('address');
    expect(await users.findActive(user._id)).toBeNull();
    expect(await users.findActiveByLogin(user.username)).toBeNull();
    expect(await users.findActiveByRoomNumber(user.room.number)).toBeNull();
    expect(await users.findSessionFacts(user._id.toString())).toBeNull();
    expect(await users.setPassword(user._id, 'hash')).toBeNull();
    await users.setRoomSettings(user._id, { admission: 'manual', moderatorLeaves: 'end', muteOnEntry: { mode: 'off' }, entryExitTones: true });
    expect(await users.findOwnRoomSettings(user._id)).toBeUndefined();
    expect(await users.createWithRoom(newUser({ room: { ...user.room } }))).toBe('taken');
    expect(await users.createWithRoom(newUser({ username: user.username, email: user.email }))).toBe('created');
  });
});
