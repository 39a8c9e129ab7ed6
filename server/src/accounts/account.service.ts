import { Inject, Injectable } from '@nestjs/common';
import type { AccountView, PinSetupRequest, UpdateProfileRequest } from '@konferenz/shared';
import { passwordProblem } from '@konferenz/shared';
import { accountAttemptKey, CredentialsService } from '../auth/credentials.service';
import { ApiException } from '../common/api-exception';
import { RoomAccess } from '../rooms/room-access.service';
import { RoomsService } from '../rooms/rooms.service';
import { AttemptLimiter } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import type { User } from '../users/user.schema';
import { USERS_REPOSITORY, type StoredUser, type UserId, type UsersRepository } from '../users/users-repository';
import { AccountLinks } from './account-links';

/** A PIN change races only with the account's own other PIN change; a few fresh reads settle it. */
const PIN_CHANGE_TRIES = 3;

/** The customer area ("Konferenzcenter"): reading and changing one's own account. */
@Injectable()
export class AccountService {
  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    private readonly rooms: RoomsService,
    private readonly roomAccess: RoomAccess,
    private readonly hasher: SecretHasher,
    private readonly credentials: CredentialsService,
    private readonly limiter: AttemptLimiter,
    private readonly links: AccountLinks,
  ) {}

  async find(id: UserId): Promise<StoredUser> {
    const user = await this.users.findActive(id);
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
  async setUpPins(user: StoredUser, setup: PinSetupRequest): Promise<AccountView> {
    const pins = await this.rooms.initialPins(setup);
    const updated = await this.users.setInitialPins(user._id, pins);
    if (!updated) throw new ApiException('PINS_ALREADY_SET');
    return this.view(updated);
  }

  async changeModeratorPin(user: StoredUser, pin: string): Promise<void> {
    await this.#changePin(user, async ({ _id, room }) =>
      this.users.setModeratorPin(_id, await this.rooms.moderatorPinHash(room, pin), room.participantPinCipher),
    );
  }

  async changeParticipantPin(user: StoredUser, pin: string): Promise<AccountView> {
    return this.view(
      await this.#changePin(user, async ({ _id, room }) =>
        this.users.setParticipantPin(_id, await this.rooms.participantPinCipher(room, pin), room.moderatorPinHash),
      ),
    );
  }

  /** Returns the new session epoch: every session of the account but the caller's renewed one ends. */
  async changePassword(user: StoredUser, currentPassword: string, newPassword: string): Promise<number> {
    await this.#confirmPassword(user, currentPassword, 'currentPassword');
    const problem = passwordProblem(newPassword, user);
    if (problem) throw new ApiException('VALIDATION_FAILED', [{ field: 'newPassword', code: problem }]);
    const sessionEpoch = await this.users.setPassword(user._id, await this.hasher.hash(newPassword));
    if (sessionEpoch === null) throw new ApiException('UNAUTHENTICATED');
    return sessionEpoch;
  }

  async updateProfile(user: StoredUser, profile: UpdateProfileRequest): Promise<AccountView> {
    return this.view((await this.users.updateProfile(user._id, profile))!);
  }

  /** Personal data goes; the account stays as a tombstone holding its room number, so the number is retired forever. */
  async delete(user: StoredUser, password: string, now = new Date()): Promise<void> {
    await this.#confirmPassword(user, password, 'password');
    await this.users.retire(user._id, this.rooms.retired(user.room, now), now);
    await this.limiter.clear(accountAttemptKey(user._id.toString()));
  }

  /**
   * The two PINs must differ. The new one is checked against the other PIN as just read, and the
   * write goes through only while that PIN is still stored: if a concurrent request changed it in
   * between, the write misses and the check runs again on a fresh read.
   */
  async #changePin(user: StoredUser, change: (current: StoredUser) => Promise<StoredUser | null>): Promise<StoredUser> {
    for (let attempt = 1; ; attempt++) {
      const updated = await change(user);
      if (updated) {
        await this.roomAccess.reopenToGuests(updated.room.number);
        return updated;
      }
      if (attempt === PIN_CHANGE_TRIES) throw new ApiException('TOO_MANY_REQUESTS');
      user = await this.find(user._id);
    }
  }

  /** Rate-limited like the login, sharing its per-account budget: the session must not be a way around it. */
  async #confirmPassword(user: StoredUser, password: string, field: string): Promise<void> {
    if (!(await this.credentials.confirm(user._id.toString(), user.passwordHash, password))) {
      throw new ApiException('INVALID_CREDENTIALS', [{ field, code: 'error.INVALID_CREDENTIALS' }]);
    }
  }
}
