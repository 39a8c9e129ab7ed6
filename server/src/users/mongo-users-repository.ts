import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import mongoose, { type Model, type Types } from 'mongoose';
import { DEFAULT_ROOM_SETTINGS, type RoomSettings } from '@konferenz/shared';
import { emailKey, usernameKey } from './identity-keys';
import type { PersonalRoom, RoomSettingsRecord } from './personal-room.schema';
import { User, type EmailVerification } from './user.schema';
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
} from './users-repository';

const DUPLICATE_KEY = 11000;

/** UsersRepository in the `users` collection; the only holder of the User model. */
@Injectable()
export class MongoUsersRepository implements UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  findActive(id: UserId): Promise<StoredUser | null> {
    return this.users.findOne({ _id: id, deletedAt: null }).exec();
  }

  findActiveByLogin(login: string): Promise<StoredUser | null> {
    return this.users
      .findOne({ ...loginFilter(login), deletedAt: null })
      .lean<StoredUser>()
      .exec();
  }

  findContactByLogin(login: string): Promise<UserContact | null> {
    return this.users
      .findOne({ ...loginFilter(login), deletedAt: null })
      .select('username email firstName lastName language')
      .lean<UserContact>()
      .exec();
  }

  findSessionFacts(id: string): Promise<SessionFacts | null> {
    return this.users.findOne({ _id: id, deletedAt: null }).select('username language room.pinsSet sessionEpoch').lean<SessionFacts>().exec();
  }

  findIdentityHolders(username: string, email: string): Promise<IdentityHolder[]> {
    return this.users
      .find({ $or: [{ usernameKey: usernameKey(username) }, { emailKey: emailKey(email) }] })
      .select('usernameKey emailKey email username firstName lastName language')
      .limit(2)
      .lean<IdentityHolder[]>()
      .exec();
  }

  findByEmail(email: string): Promise<StoredUser | null> {
    return this.users
      .findOne({ emailKey: emailKey(email) })
      .lean<StoredUser>()
      .exec();
  }

  async isUsernameTaken(username: string): Promise<boolean> {
    return (await this.users.exists({ usernameKey: usernameKey(username) })) !== null;
  }

  async isEmailTaken(email: string): Promise<boolean> {
    return (await this.users.exists({ emailKey: emailKey(email) })) !== null;
  }

  findActiveByRoomNumber(roomNumber: string): Promise<StoredUser | null> {
    return this.users.findOne({ 'room.number': roomNumber, deletedAt: null }).lean<StoredUser>().exec();
  }

  async findRoomSettings(roomNumber: string): Promise<RoomSettingsRecord | undefined> {
    const owner = await this.users.findOne({ 'room.number': roomNumber, deletedAt: null }).select('room.settings').lean();
    return withDefaults(owner?.room.settings);
  }

  async findOwnRoomSettings(id: UserId): Promise<RoomSettingsRecord | undefined> {
    const owner = await this.users.findById(id).select('room.settings').lean();
    return withDefaults(owner?.room.settings);
  }

  /**
   * The insert carries its own _id, so a write whose reply was lost is told apart from a real
   * collision: the driver's retry meeting its own document (a replica set retries writes; MongoDB
   * then names the _id index) counts as created, and an insert that failed unanswered is undone as
   * the request fails, so a second try never meets "username taken" for an account nobody was told
   * about. A real collision costs no extra query: a taken email must cost what a new one does.
   */
  async createWithRoom(user: NewUser): Promise<'created' | 'taken'> {
    const _id = new mongoose.Types.ObjectId();
    try {
      await this.users.create({ _id, ...user, usernameKey: usernameKey(user.username), emailKey: emailKey(user.email) });
      return 'created';
    } catch (error) {
      const duplicate = error as { code?: number; keyPattern?: Record<string, unknown> };
      if (duplicate.code === DUPLICATE_KEY) return duplicate.keyPattern && '_id' in duplicate.keyPattern ? 'created' : 'taken';
      // Not awaited: the request fails fast; the client's next try hashes first, long enough for this to land.
      void this.users
        .deleteOne({ _id })
        .exec()
        .catch(() => undefined);
      throw error;
    }
  }

  async removeUnannounced(username: string, roomNumber: string): Promise<void> {
    await this.users
      .deleteOne({ usernameKey: usernameKey(username), 'room.number': roomNumber, 'room.pinsSet': false, emailVerifiedAt: null, deletedAt: null })
      .exec();
  }

  setInitialPins(id: UserId, pins: PinHashes): Promise<StoredUser | null> {
    return this.users
      .findOneAndUpdate(
        { _id: id, 'room.pinsSet': false, deletedAt: null },
        { $set: { 'room.moderatorPinHash': pins.moderatorPinHash, 'room.participantPinCipher': pins.participantPinCipher, 'room.pinsSet': true } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  setModeratorPin(id: UserId, moderatorPinHash: string, participantPinCipherAsRead: string | null): Promise<StoredUser | null> {
    return this.users
      .findOneAndUpdate(
        { _id: id, deletedAt: null, 'room.participantPinCipher': participantPinCipherAsRead },
        { $set: { 'room.moderatorPinHash': moderatorPinHash } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  setParticipantPin(id: UserId, participantPinCipher: string, moderatorPinHashAsRead: string | null): Promise<StoredUser | null> {
    return this.users
      .findOneAndUpdate(
        { _id: id, deletedAt: null, 'room.moderatorPinHash': moderatorPinHashAsRead },
        { $set: { 'room.participantPinCipher': participantPinCipher } },
        { returnDocument: 'after' },
      )
      .exec();
  }

  async setPassword(id: UserId, passwordHash: string): Promise<number | null> {
    const updated = await this.users.findOneAndUpdate(
      { _id: id, deletedAt: null },
      { $set: { passwordHash }, $inc: { sessionEpoch: 1 } },
      { returnDocument: 'after' },
    );
    return updated?.sessionEpoch ?? null;
  }

  updateProfile(id: UserId, profile: Profile): Promise<StoredUser | null> {
    const { company, phone } = profile;
    const $set = {
      firstName: profile.firstName,
      lastName: profile.lastName,
      address: profile.address,
      language: profile.language,
      ...(company && { company }),
      ...(phone && { phone }),
    };
    const $unset = { ...(!company && { company: 1 }), ...(!phone && { phone: 1 }) };
    return this.users.findOneAndUpdate({ _id: id }, Object.keys($unset).length ? { $set, $unset } : { $set }, { returnDocument: 'after' }).exec();
  }

  async setRoomSettings(id: UserId, settings: RoomSettings): Promise<void> {
    await this.users.updateOne({ _id: id, deletedAt: null }, { $set: { 'room.settings': settings } });
  }

  async verifyEmail(tokenHash: string, now: Date): Promise<EmailVerificationOutcome> {
    const verified = await this.users.findOneAndUpdate(
      { 'emailVerification.tokenHash': tokenHash, 'emailVerification.expiresAt': { $gt: now }, deletedAt: null },
      { $set: { emailVerifiedAt: now, emailVerification: null, verifiedWithTokenHash: tokenHash } },
    );
    if (verified) return 'verified';
    return (await this.users.exists({ verifiedWithTokenHash: tokenHash, deletedAt: null })) ? 'already-verified' : 'invalid';
  }

  async replaceEmailVerification(id: UserId, verification: EmailVerification, lastSentBefore: Date): Promise<{ previous: EmailVerification | null } | null> {
    const previous = await this.users.findOneAndUpdate(
      {
        _id: id,
        emailVerifiedAt: null,
        deletedAt: null,
        $or: [{ emailVerification: null }, { 'emailVerification.sentAt': { $lte: lastSentBefore } }],
      },
      { $set: { emailVerification: verification } },
      { returnDocument: 'before' },
    );
    return previous && { previous: previous.emailVerification };
  }

  async restoreEmailVerification(id: UserId, replacedTokenHash: string, previous: EmailVerification | null): Promise<void> {
    await this.users.updateOne({ _id: id, 'emailVerification.tokenHash': replacedTokenHash }, { $set: { emailVerification: previous } });
  }

  /** The unique index on the room number keeps the tombstone's number from being drawn again. */
  async retire(id: Types.ObjectId, retiredRoom: PersonalRoom, now: Date): Promise<void> {
    const tombstone = `deleted:${id.toString()}`;
    await this.users.updateOne(
      { _id: id },
      {
        $set: {
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
        },
        $unset: { company: 1, phone: 1, address: 1 },
      },
    );
  }
}

function loginFilter(login: string): { emailKey: string } | { usernameKey: string } {
  return login.includes('@') ? { emailKey: emailKey(login) } : { usernameKey: usernameKey(login) };
}

/**
 * Stored settings with the defaults of settings added since they were saved (a lean read skips
 * the schema's defaults): a room saved before `entryExitTones` existed has the tones on.
 */
function withDefaults(settings: RoomSettingsRecord | undefined): RoomSettingsRecord | undefined {
  return settings && { ...DEFAULT_ROOM_SETTINGS, ...settings };
}
