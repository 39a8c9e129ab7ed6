import type { RoomSettings } from '@konferenz/shared';
import type { Types } from 'mongoose';
import type { PersonalRoom, RoomSettingsRecord } from './personal-room.schema';
import type { Address, EmailVerification, User } from './user.schema';

export const USERS_REPOSITORY = Symbol('USERS_REPOSITORY');

/** An account as stored; a deleted one is a tombstone (deletedAt set) that only keeps its room number. */
export type StoredUser = User & { _id: Types.ObjectId };
export type UserId = Types.ObjectId | string;

/** A registration: the stored lower-cased keys are derived from username and email. */
export type NewUser = Pick<
  User,
  'username' | 'email' | 'passwordHash' | 'firstName' | 'lastName' | 'company' | 'phone' | 'language' | 'emailVerification' | 'room'
> & { address: Address };

export type Profile = Pick<User, 'firstName' | 'lastName' | 'company' | 'phone' | 'language'> & { address: Address };

/** Who holds a username or an email, with what it takes to tell them by mail. */
export type IdentityHolder = Pick<User, 'usernameKey' | 'emailKey' | 'email' | 'username' | 'firstName' | 'lastName' | 'language'>;

/** Enough of an account to write to its owner. */
export type UserContact = Pick<User, 'username' | 'email' | 'firstName' | 'lastName' | 'language'> & { _id: Types.ObjectId };

/** What a session reloads on every request. */
export type SessionFacts = Pick<User, 'username' | 'language' | 'sessionEpoch'> & { room: Pick<PersonalRoom, 'pinsSet'> };

export type PinHashes = Pick<PersonalRoom, 'moderatorPinHash' | 'participantPinCipher'>;

/**
 * The accounts with their personal rooms: the only way to the users collection. "Active" means
 * not deleted. Every conditional write returns null (or false) when its condition did not hold,
 * so concurrent requests are told apart by the database, not by a read before the write.
 */
export type EmailVerificationOutcome = 'verified' | 'already-verified' | 'invalid';

export interface UsersRepository {
  findActive(id: UserId): Promise<StoredUser | null>;
  /** By username, or by email when the login has an @. */
  findActiveByLogin(login: string): Promise<StoredUser | null>;
  findContactByLogin(login: string): Promise<UserContact | null>;
  findSessionFacts(id: string): Promise<SessionFacts | null>;
  /** The (at most two) accounts, deleted ones included, holding the username or the email. */
  findIdentityHolders(username: string, email: string): Promise<IdentityHolder[]>;
  findByEmail(email: string): Promise<StoredUser | null>;
  isUsernameTaken(username: string): Promise<boolean>;
  isEmailTaken(email: string): Promise<boolean>;
  findActiveByRoomNumber(roomNumber: string): Promise<StoredUser | null>;
  /** Undefined for an unknown room, or one created before settings existed. */
  findRoomSettings(roomNumber: string): Promise<RoomSettingsRecord | undefined>;
  findOwnRoomSettings(id: UserId): Promise<RoomSettingsRecord | undefined>;

  /** One insert for the account and its room; 'taken' when the username, email or room number is already held. */
  createWithRoom(user: NewUser): Promise<'created' | 'taken'>;
  /**
   * Undoes a registration whose welcome mail (room number and initial PIN) could not be queued:
   * only while the account is exactly as created (email unverified, PINs not set).
   */
  removeUnannounced(username: string, roomNumber: string): Promise<void>;
  /** The first-login setup: only while the room's PINs are not set yet. */
  setInitialPins(id: UserId, pins: PinHashes): Promise<StoredUser | null>;
  /** Only while the participant PIN is still the one the new moderator PIN was checked against. */
  setModeratorPin(id: UserId, moderatorPinHash: string, participantPinCipherAsRead: string | null): Promise<StoredUser | null>;
  /** Only while the moderator PIN is still the one the new participant PIN was checked against. */
  setParticipantPin(id: UserId, participantPinCipher: string, moderatorPinHashAsRead: string | null): Promise<StoredUser | null>;
  /** Moves the session epoch on, which ends every older session; returns the new epoch. */
  setPassword(id: UserId, passwordHash: string): Promise<number | null>;
  /** An absent company or phone is removed. */
  updateProfile(id: UserId, profile: Profile): Promise<StoredUser | null>;
  setRoomSettings(id: UserId, settings: RoomSettings): Promise<void>;
  /** `invalid` when no active account has this unexpired link and none was verified with it. */
  verifyEmail(tokenHash: string, now: Date): Promise<EmailVerificationOutcome>;
  /**
   * A new verification link, unless the email is verified or the last link was sent after
   * `lastSentBefore`; returns the link it replaced.
   */
  replaceEmailVerification(id: UserId, verification: EmailVerification, lastSentBefore: Date): Promise<{ previous: EmailVerification | null } | null>;
  /** Puts the previous link back, unless another link replaced `replacedTokenHash`'s meanwhile. */
  restoreEmailVerification(id: UserId, replacedTokenHash: string, previous: EmailVerification | null): Promise<void>;
  /** Wipes the personal data and leaves the tombstone that keeps the (retired) room's number. */
  retire(id: Types.ObjectId, retiredRoom: PersonalRoom, now: Date): Promise<void>;
}
