import type { Types } from 'mongoose';
import type { PersonalRoom } from './personal-room.schema';
import type { User } from './user.schema';

/** What a retired account is overwritten with: a tombstone holding only its retired room. */
export type TombstoneFields = Pick<
  User,
  'username' | 'usernameKey' | 'email' | 'emailKey' | 'passwordHash' | 'firstName' | 'lastName' | 'emailVerification' | 'room' | 'deletedAt'
>;

/** The optional personal fields a tombstone does not keep at all. */
export const FIELDS_REMOVED_FROM_TOMBSTONE = ['company', 'phone', 'address'] as const satisfies ReadonlyArray<keyof User>;

/**
 * The fields UsersRepository.retire writes, in one place for the database and the tests'
 * in-memory repository: username and email become `deleted:<id>` (unique, so both are free
 * again), the rest of the personal data is emptied, and the retired room keeps its number.
 */
export function tombstoneFields(id: Types.ObjectId, retiredRoom: PersonalRoom, now: Date): TombstoneFields {
  const tombstone = `deleted:${id.toString()}`;
  return {
    username: tombstone,
    usernameKey: tombstone,
    email: tombstone,
    emailKey: tombstone,
    passwordHash: null,
    firstName: '',
    lastName: '',
    emailVerification: null,
    room: retiredRoom,
    deletedAt: now,
  };
}
