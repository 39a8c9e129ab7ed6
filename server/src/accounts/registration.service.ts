import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RegisterRequest, VerifyEmailResponse } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MailService } from '../mail/mail.service';
import { registrationAttemptMail } from '../mail/templates/registration-attempt-mail';
import { verificationMail } from '../mail/templates/verification-mail';
import type { RenderedMail } from '../mail/templates/layout';
import { welcomeMail } from '../mail/templates/welcome-mail';
import { RoomsService } from '../rooms/rooms.service';
import { AttemptLimiter } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import { hashToken } from '../security/token-hash';
import { emailKey, usernameKey } from '../users/identity-keys';
import type { PersonalRoom } from '../users/personal-room.schema';
import { USERS_REPOSITORY, type IdentityHolder, type StoredUser, type UsersRepository } from '../users/users-repository';
import { AccountLinks } from './account-links';
import { newEmailVerification } from './email-verification-token';

/** 90 million numbers: even at millions of customers a collision is rare; five in a row is a bug. */
const MAX_ROOM_NUMBER_TRIES = 5;
const RESEND_COOLDOWN_MS = 60_000;
/** How long a failed undo of an unannounced registration waits before its second try. */
const UNDO_RETRY_MS = 1_000;

type UniqueField = 'usernameKey' | 'emailKey' | 'room.number';

@Injectable()
export class RegistrationService {
  readonly #logger = new Logger(RegistrationService.name);

  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rooms: RoomsService,
    private readonly hasher: SecretHasher,
    private readonly limiter: AttemptLimiter,
    private readonly mail: MailService,
    private readonly links: AccountLinks,
  ) {}

  /**
   * Creates the account with its permanent room in one insert. An email that already has an
   * account gets the same answer and timing as a new one; its owner is told by mail instead. For
   * the timing, both paths do the same work: two argon2 hashes, one lookup of the username and
   * email (which also finds the owner to tell), one insert (which the unique index refuses for a
   * taken email), one mail queued in the outbox and waited for.
   */
  async register(request: RegisterRequest, sourceIp: string): Promise<void> {
    await this.#countRegistration(sourceIp);
    const passwordHash = await this.hasher.hash(request.password);
    let { room, accessPin } = await this.rooms.openPersonalRoom();
    const { token, verification } = newEmailVerification(this.config.emailVerificationTtlMs);
    const holders = await this.#holdersOf(request);
    // The unique indexes decide, so two concurrent registrations of one name or address are
    // told apart exactly like two sequential ones.
    for (let attempt = 1; ; attempt++) {
      const created = await this.users.createWithRoom({
        username: request.username,
        email: request.email,
        passwordHash,
        firstName: request.firstName,
        lastName: request.lastName,
        company: request.company,
        phone: request.phone,
        address: request.address,
        language: request.language,
        emailVerification: verification,
        room,
      });
      if (created === 'created') break;
      const field = await this.#collidingField(request, holders);
      if (field === 'usernameKey') {
        throw new ApiException('USERNAME_TAKEN', [{ field: 'username', code: 'error.USERNAME_TAKEN' }]);
      }
      if (field === 'emailKey') return this.#tellOwnerOfAttempt(request.email, holders);
      if (attempt === MAX_ROOM_NUMBER_TRIES) throw new Error(`No free room number in ${MAX_ROOM_NUMBER_TRIES} draws`);
      room = this.rooms.renumber(room, accessPin);
    }
    await this.#sendWelcome(request, room, accessPin, token);
  }

  /** A second click on the link that verified the address is answered kindly, not as an invalid link. */
  async verifyEmail(token: string, now = new Date()): Promise<VerifyEmailResponse> {
    const outcome = await this.users.verifyEmail(hashToken(token), now);
    if (outcome === 'invalid') throw new ApiException('TOKEN_INVALID');
    return { status: outcome };
  }

  /**
   * A new link replaces the old one; one mail a minute at most so the button cannot spam. The
   * cooldown is part of the update's filter, so of several parallel requests only one gets through.
   */
  async resendVerification(user: StoredUser, now = new Date()): Promise<void> {
    if (user.emailVerifiedAt) return;
    const { token, verification } = newEmailVerification(this.config.emailVerificationTtlMs, now);
    const replaced = await this.users.replaceEmailVerification(user._id, verification, new Date(now.getTime() - RESEND_COOLDOWN_MS));
    if (!replaced) throw new ApiException('TOO_MANY_REQUESTS');
    try {
      await this.mail.send(
        user.email,
        verificationMail({
          language: user.language,
          firstName: user.firstName,
          lastName: user.lastName,
          verifyUrl: this.links.verifyEmail(token),
          verifyHours: this.config.emailVerificationTtlMs / 3_600_000,
        }),
      );
    } catch (error) {
      // The new link never arrived: the old one stays valid, unless yet another link replaced it meanwhile.
      await this.users.restoreEmailVerification(user._id, verification.tokenHash, replaced.previous);
      throw error;
    }
  }

  /** Who already holds the username or the email: at most two accounts, asked on every path alike. */
  async #holdersOf(request: RegisterRequest): Promise<IdentityHolder[]> {
    return this.users.findIdentityHolders(request.username, request.email);
  }

  /**
   * MongoDB names the violated index in keyPattern, FerretDB 1.x does not: the holders looked up
   * before the insert tell; only an account created concurrently in between needs another look.
   */
  async #collidingField(request: RegisterRequest, holders: IdentityHolder[]): Promise<UniqueField> {
    if (holders.some((holder) => holder.usernameKey === usernameKey(request.username))) return 'usernameKey';
    if (holders.some((holder) => holder.emailKey === emailKey(request.email))) return 'emailKey';
    if (await this.users.isUsernameTaken(request.username)) return 'usernameKey';
    if (await this.users.isEmailTaken(request.email)) return 'emailKey';
    return 'room.number';
  }

  async #countRegistration(sourceIp: string): Promise<void> {
    const policy = { maxAttempts: this.config.limits.registrationsPerIpPerHour, windowMs: 3_600_000, lockoutMs: 3_600_000 };
    if (!(await this.limiter.consume(`register-ip:${sourceIp}`, policy))) throw new ApiException('TOO_MANY_REQUESTS');
  }

  async #tellOwnerOfAttempt(email: string, holders: IdentityHolder[]): Promise<void> {
    const owner = holders.find((holder) => holder.emailKey === emailKey(email)) ?? (await this.users.findByEmail(email));
    if (!owner) return;
    await this.mail.send(
      owner.email,
      registrationAttemptMail({
        language: owner.language,
        firstName: owner.firstName,
        lastName: owner.lastName,
        username: owner.username,
        loginUrl: this.links.login,
      }),
    );
  }

  /**
   * The welcome mail is the only place the initial access PIN is ever shown, so an account whose
   * mail could not be queued is removed again and the request fails (503): registering again then
   * starts clean instead of meeting "email taken" for an account nobody can open.
   */
  async #sendWelcome(request: RegisterRequest, room: PersonalRoom, accessPin: string, token: string): Promise<void> {
    try {
      await this.mail.send(request.email, this.#welcomeMail(request, room, accessPin, token));
    } catch (error) {
      await this.users.removeUnannounced(request.username, room.number).catch(() => this.#removeLater(request.username, room.number));
      throw error;
    }
  }

  /** The database was too busy for the undo as well (a burst): one more try a moment later, in the background. */
  #removeLater(username: string, roomNumber: string): void {
    setTimeout(() => {
      this.users
        .removeUnannounced(username, roomNumber)
        .catch((undo: Error) => this.#logger.error(`Account ${username} stays without its welcome mail: ${undo.message}`));
    }, UNDO_RETRY_MS).unref();
  }

  #welcomeMail(request: RegisterRequest, room: PersonalRoom, accessPin: string, token: string): RenderedMail {
    return welcomeMail({
      language: request.language,
      firstName: request.firstName,
      lastName: request.lastName,
      roomNumber: room.number,
      accessPin,
      loginUrl: this.links.login,
      joinUrl: this.links.join(room.number),
      dialIn: this.links.dialIn(room.number),
      verifyUrl: this.links.verifyEmail(token),
      verifyHours: this.config.emailVerificationTtlMs / 3_600_000,
    });
  }
}
