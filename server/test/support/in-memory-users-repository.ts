import type { RoomSettings } from '@konferenz/shared';
import { Types } from 'mongoose';
import { FIELDS_REMOVED_FROM_TOMBSTONE, tombstoneFields } from '../../src/users/account-tombstone';
import { emailKey, usernameKey } from '../../src/users/identity-keys';
import type { PersonalRoom, RoomSettingsRecord } from '../../src/users/personal-room.schema';
import type { EmailVerification } from '../../src/users/user.schema';
import type {
  EmailVerificationOutcome,
  IdentityHolder,
  NewUser,
  PinHashes,
  Profile,
  SessionFacts,
  StoredUser,
  UserContact,
  UserId,
  UsersRepository,
} from '../../src/users/users-repository';

/** Plain data in, plain data out: callers never hold the stored objects themselves, as with a database. */
function copy<T>(value: T): T {
  if (value instanceof Types.ObjectId || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, copy(field)])) as T;
  return value;
}

/**
 * UsersRepository in memory for unit tests, with the unique keys and conditional writes of the
 * real one. `stored` is the "collection", for tests to look into or to change behind a caller's back.
 */
export class InMemoryUsersRepository implements UsersRepository {
  readonly stored: StoredUser[] = [];

  /** An account as registration leaves it, with whatever a test wants different. */
  add(fields: Partial<StoredUser> = {}): StoredUser {
    const n = this.stored.length + 1;
    const now = new Date();
    const user: StoredUser = {
      _id: new Types.ObjectId(),
      username: `user${n}`,
      usernameKey: usernameKey(fields.username ?? `user${n}`),
      email: `user${n}@example.org`,
      emailKey: emailKey(fields.email ?? `user${n}@example.org`),
      passwordHash: null,
      firstName: 'Anna',
      lastName: 'Muster',
      address: { street: 'Hauptstraße', houseNumber: '1', postalCode: '10115', city: 'Berlin', country: 'DE' },
      language: 'de',
      emailVerifiedAt: null,
      emailVerification: null,
      verifiedWithTokenHash: null,
      room: { number: String(12_345_677 + n), moderatorPinHash: null, participantPinCipher: null, pinsSet: false, retiredAt: null },
      sessionEpoch: 0,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
    this.stored.push(user);
    return copy(user);
  }

  async findActive(id: UserId): Promise<StoredUser | null> {
    return copy(this.#active(id) ?? null);
  }

  async findActiveByLogin(login: string): Promise<StoredUser | null> {
    const user = login.includes('@') ? this.#byEmail(login) : this.stored.find((candidate) => candidate.usernameKey === usernameKey(login));
    return copy(user && !user.deletedAt ? user : null);
  }

  async findContactByLogin(login: string): Promise<UserContact | null> {
    const user = await this.findActiveByLogin(login);
    return user && { _id: user._id, username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName, language: user.language };
  }

  async findSessionFacts(id: string): Promise<SessionFacts | null> {
    const user = this.#active(id);
    return user ? { username: user.username, language: user.language, sessionEpoch: user.sessionEpoch, room: { pinsSet: user.room.pinsSet } } : null;
  }

  async findIdentityHolders(username: string, email: string): Promise<IdentityHolder[]> {
    return this.stored
      .filter((user) => user.usernameKey === usernameKey(username) || user.emailKey === emailKey(email))
      .slice(0, 2)
      .map(({ usernameKey, emailKey, email, username, firstName, lastName, language }) => ({
        usernameKey,
        emailKey,
        email,
        username,
        firstName,
        lastName,
        language,
      }));
  }

  async findByEmail(email: string): Promise<StoredUser | null> {
    return copy(this.#byEmail(email) ?? null);
  }

  async isUsernameTaken(username: string): Promise<boolean> {
    return this.stored.some((user) => user.usernameKey === usernameKey(username));
  }

  async isEmailTaken(email: string): Promise<boolean> {
    return this.#byEmail(email) !== undefined;
  }

  async findActiveByRoomNumber(roomNumber: string): Promise<StoredUser | null> {
    return copy(this.stored.find((user) => user.room.number === roomNumber && !user.deletedAt) ?? null);
  }

  async findRoomSettings(roomNumber: string): Promise<RoomSettingsRecord | undefined> {
    return copy((await this.findActiveByRoomNumber(roomNumber))?.room.settings);
  }

  async findOwnRoomSettings(id: UserId): Promise<RoomSettingsRecord | undefined> {
    return copy(this.#byId(id)?.room.settings);
  }

  async createWithRoom(user: NewUser): Promise<'created' | 'taken'> {
    const keys = { usernameKey: usernameKey(user.username), emailKey: emailKey(user.email) };
    const taken = this.stored.some(
      (other) => other.usernameKey === keys.usernameKey || other.emailKey === keys.emailKey || other.room.number === user.room.number,
    );
    if (taken) return 'taken';
    this.add({ ...copy(user), ...keys });
    return 'created';
  }

  async removeUnannounced(username: string, roomNumber: string): Promise<void> {
    const index = this.stored.findIndex(
      (user) => user.usernameKey === usernameKey(username) && user.room.number === roomNumber && !user.room.pinsSet && !user.emailVerifiedAt && !user.deletedAt,
    );
    if (index >= 0) this.stored.splice(index, 1);
  }

  async setInitialPins(id: UserId, pins: PinHashes): Promise<StoredUser | null> {
    return this.#update(
      id,
      (user) => !user.room.pinsSet,
      (user) => Object.assign(user.room, pins, { pinsSet: true }),
    );
  }

  async setModeratorPin(id: UserId, moderatorPinHash: string, participantPinCipherAsRead: string | null): Promise<StoredUser | null> {
    return this.#update(
      id,
      (user) => user.room.participantPinCipher === participantPinCipherAsRead,
      (user) => (user.room.moderatorPinHash = moderatorPinHash),
    );
  }

  async setParticipantPin(id: UserId, participantPinCipher: string, moderatorPinHashAsRead: string | null): Promise<StoredUser | null> {
    return this.#update(
      id,
      (user) => user.room.moderatorPinHash === moderatorPinHashAsRead,
      (user) => (user.room.participantPinCipher = participantPinCipher),
    );
  }

  async setPassword(id: UserId, passwordHash: string): Promise<number | null> {
    const updated = await this.#update(
      id,
      () => true,
      (user) => Object.assign(user, { passwordHash, sessionEpoch: user.sessionEpoch + 1 }),
    );
    return updated?.sessionEpoch ?? null;
  }

  /** Like the real one, it does not look at deletedAt. */
  async updateProfile(id: UserId, profile: Profile): Promise<StoredUser | null> {
    const user = this.#byId(id);
    if (!user) return null;
    const { company, phone, ...rest } = copy(profile);
    Object.assign(user, rest);
    if (company) user.company = company;
    else delete user.company;
    if (phone) user.phone = phone;
    else delete user.phone;
    return copy(user);
  }

  async setRoomSettings(id: UserId, settings: RoomSettings): Promise<void> {
    await this.#update(
      id,
      () => true,
      (user) => (user.room.settings = copy(settings)),
    );
  }

  async verifyEmail(tokenHash: string, now: Date): Promise<EmailVerificationOutcome> {
    const user = this.stored.find(
      (candidate) => candidate.emailVerification?.tokenHash === tokenHash && candidate.emailVerification.expiresAt > now && !candidate.deletedAt,
    );
    if (!user) return this.stored.some((candidate) => candidate.verifiedWithTokenHash === tokenHash && !candidate.deletedAt) ? 'already-verified' : 'invalid';
    Object.assign(user, { emailVerifiedAt: now, emailVerification: null, verifiedWithTokenHash: tokenHash });
    return 'verified';
  }

  async replaceEmailVerification(id: UserId, verification: EmailVerification, lastSentBefore: Date): Promise<{ previous: EmailVerification | null } | null> {
    const user = this.#active(id);
    if (!user || user.emailVerifiedAt !== null) return null;
    if (user.emailVerification && user.emailVerification.sentAt > lastSentBefore) return null;
    const previous = user.emailVerification;
    user.emailVerification = copy(verification);
    return { previous: copy(previous) };
  }

  async restoreEmailVerification(id: UserId, replacedTokenHash: string, previous: EmailVerification | null): Promise<void> {
    const user = this.#byId(id);
    if (user?.emailVerification?.tokenHash === replacedTokenHash) user.emailVerification = copy(previous);
  }

  async retire(id: Types.ObjectId, retiredRoom: PersonalRoom, now: Date): Promise<void> {
    const user = this.#byId(id);
    if (!user) return;
    Object.assign(user, copy(tombstoneFields(id, retiredRoom, now)));
    for (const field of FIELDS_REMOVED_FROM_TOMBSTONE) delete user[field];
  }

  #byId(id: UserId): StoredUser | undefined {
    return this.stored.find((user) => user._id.toString() === id.toString());
  }

  #active(id: UserId): StoredUser | undefined {
    const user = this.#byId(id);
    return user && !user.deletedAt ? user : undefined;
  }

  #byEmail(email: string): StoredUser | undefined {
    return this.stored.find((user) => user.emailKey === emailKey(email));
  }

  /** A conditional write on an active account, returning the account after it, or null when the condition failed. */
  async #update(id: UserId, condition: (user: StoredUser) => boolean, change: (user: StoredUser) => unknown): Promise<StoredUser | null> {
    const user = this.#active(id);
    if (!user || !condition(user)) return null;
    change(user);
    return copy(user);
  }
}
