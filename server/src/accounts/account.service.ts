import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import type { AccountView, PinSetupRequest, UpdateProfileRequest } from '@konferenz/shared';
import { passwordProblem } from '@konferenz/shared';
import { accountAttemptKey, CredentialsService } from '../auth/credentials.service';
import { ApiException } from '../common/api-exception';
import type { PersonalRoom } from '../rooms/personal-room.schema';
import { RoomAccess } from '../rooms/room-access.service';
import { RoomsService } from '../rooms/rooms.service';
import { AttemptLimiter } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import { AccountLinks } from './account-links';
import { User, type UserDocument } from './schemas/user.schema';

/** A PIN change races only with the account's own other PIN change; a few fresh reads settle it. */
const PIN_CHANGE_TRIES = 3;

interface PinChange {
  /** The other PIN as stored when the new one was checked against it. */
  unchanged: Record<string, string | null>;
  $set: Record<string, string>;
}

/** The customer area ("Konferenzcenter"): reading and changing one's own account. */
@Injectable()
export class AccountService {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly rooms: RoomsService,
    private readonly roomAccess: RoomAccess,
    private readonly hasher: SecretHasher,
    private readonly credentials: CredentialsService,
    private readonly limiter: AttemptLimiter,
    private readonly links: AccountLinks,
  ) {}

  async find(id: string | Types.ObjectId): Promise<UserDocument> {
    const user = await this.users.findOne({ _id: id, deletedAt: null });
    if (!user) throw new ApiException('UNAUTHENTICATED');
    return user;
  }

  view(user: User): AccountView {
    return {
      username: user.username,
      email: user.email,
      emailVerified: user.emailVerifiedAt !== null,
      firstName: user.firstName,
      lastName: user.lastName,
      company: user.company,
      phone: user.phone,
      address: {
        street: user.address!.street,
        houseNumber: user.address!.houseNumber,
        postalCode: user.address!.postalCode,
        city: user.address!.city,
        country: user.address!.country,
      },
      language: user.language,
      roomNumber: user.room.number,
      pinsSet: user.room.pinsSet,
      participantPin: this.rooms.participantPin(user.room),
      joinUrl: this.links.join(user.room.number),
      dialIn: this.links.dialIn(user.room.number),
    };
  }

  /** The first-login step; the filter on pinsSet makes a second, concurrent setup fail cleanly. */
  async setUpPins(user: UserDocument, setup: PinSetupRequest): Promise<AccountView> {
    const pins = await this.rooms.initialPins(setup);
    const updated = await this.users.findOneAndUpdate(
      { _id: user._id, 'room.pinsSet': false, deletedAt: null },
      { $set: { 'room.moderatorPinHash': pins.moderatorPinHash, 'room.participantPinCipher': pins.participantPinCipher, 'room.pinsSet': true } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new ApiException('PINS_ALREADY_SET');
    return this.view(updated);
  }

  async changeModeratorPin(user: UserDocument, pin: string): Promise<void> {
    await this.#changePin(user, async (room) => ({
      unchanged: { 'room.participantPinCipher': room.participantPinCipher },
      $set: { 'room.moderatorPinHash': await this.rooms.moderatorPinHash(room, pin) },
    }));
  }

  async changeParticipantPin(user: UserDocument, pin: string): Promise<AccountView> {
    return this.view(
      await this.#changePin(user, async (room) => ({
        unchanged: { 'room.moderatorPinHash': room.moderatorPinHash },
        $set: { 'room.participantPinCipher': await this.rooms.participantPinCipher(room, pin) },
      })),
    );
  }

  /** Returns the new session epoch: every session of the account but the caller's renewed one ends. */
  async changePassword(user: UserDocument, currentPassword: string, newPassword: string): Promise<number> {
    await this.#confirmPassword(user, currentPassword, 'currentPassword');
    const problem = passwordProblem(newPassword, user);
    if (problem) throw new ApiException('VALIDATION_FAILED', [{ field: 'newPassword', code: problem }]);
    const updated = await this.users.findOneAndUpdate(
      { _id: user._id, deletedAt: null },
      { $set: { passwordHash: await this.hasher.hash(newPassword) }, $inc: { sessionEpoch: 1 } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new ApiException('UNAUTHENTICATED');
    return updated.sessionEpoch;
  }

  async updateProfile(user: UserDocument, profile: UpdateProfileRequest): Promise<AccountView> {
    const { company, phone } = profile;
    const $set = { firstName: profile.firstName, lastName: profile.lastName, address: profile.address, language: profile.language, ...(company && { company }), ...(phone && { phone }) };
    const $unset = { ...(!company && { company: 1 }), ...(!phone && { phone: 1 }) };
    const updated = await this.users.findOneAndUpdate(
      { _id: user._id },
      Object.keys($unset).length ? { $set, $unset } : { $set },
      { returnDocument: 'after' },
    );
    return this.view(updated!);
  }

  /**
   * Personal data goes; the document stays as a tombstone holding the room number, so the number
   * is retired forever and the unique index keeps it from being drawn again.
   */
  async delete(user: UserDocument, password: string, now = new Date()): Promise<void> {
    await this.#confirmPassword(user, password, 'password');
    const tombstone = `deleted:${user._id.toString()}`;
    await this.users.updateOne(
      { _id: user._id },
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
          room: this.rooms.retired(user.room, now),
          deletedAt: now,
        },
        $unset: { company: 1, phone: 1, address: 1 },
      },
    );
    await this.limiter.clear(accountAttemptKey(user._id.toString()));
  }

  /**
   * The two PINs must differ. The new one is checked against the other PIN as just read, and that
   * stored value goes into the update's filter: if a concurrent request changed the other PIN in
   * between, the update misses and the check runs again on a fresh read.
   */
  async #changePin(user: UserDocument, change: (room: PersonalRoom) => Promise<PinChange>): Promise<UserDocument> {
    for (let attempt = 1; ; attempt++) {
      const { unchanged, $set } = await change(user.room);
      const updated = await this.users.findOneAndUpdate({ _id: user._id, deletedAt: null, ...unchanged }, { $set }, { returnDocument: 'after' });
      if (updated) {
        await this.roomAccess.reopenToGuests(updated.room.number);
        return updated;
      }
      if (attempt === PIN_CHANGE_TRIES) throw new ApiException('TOO_MANY_REQUESTS');
      user = await this.find(user._id);
    }
  }

  /** Rate-limited like the login, sharing its per-account budget: the session must not be a way around it. */
  async #confirmPassword(user: UserDocument, password: string, field: string): Promise<void> {
    if (!(await this.credentials.confirm(user._id.toString(), user.passwordHash, password))) {
      throw new ApiException('INVALID_CREDENTIALS', [{ field, code: 'error.INVALID_CREDENTIALS' }]);
    }
  }
}
