import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { RegisterRequest } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MailService } from '../mail/mail.service';
import { registrationAttemptMail } from '../mail/templates/registration-attempt-mail';
import { verificationMail } from '../mail/templates/verification-mail';
import { welcomeMail } from '../mail/templates/welcome-mail';
import type { PersonalRoom } from '../rooms/personal-room.schema';
import { RoomsService } from '../rooms/rooms.service';
import { AttemptLimiter } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import { hashToken } from '../security/token-hash';
import { AccountLinks } from './account-links';
import { newEmailVerification } from './email-verification-token';
import { emailKey, usernameKey } from './identity-keys';
import { User, type UserDocument } from './schemas/user.schema';

const DUPLICATE_KEY = 11000;
/** 90 million numbers: even at millions of customers a collision is rare; five in a row is a bug. */
const MAX_ROOM_NUMBER_TRIES = 5;
const RESEND_COOLDOWN_MS = 60_000;

type UniqueField = 'usernameKey' | 'emailKey' | 'room.number';
type Holder = Pick<User, 'usernameKey' | 'emailKey' | 'email' | 'username' | 'firstName' | 'lastName' | 'language'>;

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === DUPLICATE_KEY;
}

@Injectable()
export class RegistrationService {
  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
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
   * taken email), one mail handed to the outbox.
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
      try {
        await this.users.create({
          username: request.username,
          usernameKey: usernameKey(request.username),
          email: request.email,
          emailKey: emailKey(request.email),
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
        break;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const field = await this.#collidingField(request, holders);
        if (field === 'usernameKey') {
          throw new ApiException('USERNAME_TAKEN', [{ field: 'username', code: 'error.USERNAME_TAKEN' }]);
        }
        if (field === 'emailKey') return this.#tellOwnerOfAttempt(request.email, holders);
        if (attempt === MAX_ROOM_NUMBER_TRIES) throw error;
        room = this.rooms.renumber(room, accessPin);
      }
    }
    this.#sendWelcome(request, room, accessPin, token);
  }

  async verifyEmail(token: string, now = new Date()): Promise<void> {
    const verified = await this.users.findOneAndUpdate(
      { 'emailVerification.tokenHash': hashToken(token), 'emailVerification.expiresAt': { $gt: now }, deletedAt: null },
      { $set: { emailVerifiedAt: now, emailVerification: null } },
    );
    if (!verified) throw new ApiException('TOKEN_INVALID');
  }

  /**
   * A new link replaces the old one; one mail a minute at most so the button cannot spam. The
   * cooldown is part of the update's filter, so of several parallel requests only one gets through.
   */
  async resendVerification(user: UserDocument, now = new Date()): Promise<void> {
    if (user.emailVerifiedAt) return;
    const { token, verification } = newEmailVerification(this.config.emailVerificationTtlMs, now);
    const previous = await this.users.findOneAndUpdate(
      {
        _id: user._id,
        emailVerifiedAt: null,
        deletedAt: null,
        $or: [{ emailVerification: null }, { 'emailVerification.sentAt': { $lte: new Date(now.getTime() - RESEND_COOLDOWN_MS) } }],
      },
      { $set: { emailVerification: verification } },
      { returnDocument: 'before' },
    );
    if (!previous) throw new ApiException('TOO_MANY_REQUESTS');
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
      await this.users.updateOne(
        { _id: user._id, 'emailVerification.tokenHash': verification.tokenHash },
        { $set: { emailVerification: previous.emailVerification } },
      );
      throw error;
    }
  }

  /** Who already holds the username or the email: at most two accounts, asked on every path alike. */
  async #holdersOf(request: RegisterRequest): Promise<Holder[]> {
    return this.users
      .find({ $or: [{ usernameKey: usernameKey(request.username) }, { emailKey: emailKey(request.email) }] })
      .select('usernameKey emailKey email username firstName lastName language')
      .limit(2)
      .lean();
  }

  /**
   * MongoDB names the violated index in keyPattern, FerretDB 1.x does not: the holders looked up
   * before the insert tell; only an account created concurrently in between needs another look.
   */
  async #collidingField(request: RegisterRequest, holders: Holder[]): Promise<UniqueField> {
    if (holders.some((holder) => holder.usernameKey === usernameKey(request.username))) return 'usernameKey';
    if (holders.some((holder) => holder.emailKey === emailKey(request.email))) return 'emailKey';
    if (await this.users.exists({ usernameKey: usernameKey(request.username) })) return 'usernameKey';
    if (await this.users.exists({ emailKey: emailKey(request.email) })) return 'emailKey';
    return 'room.number';
  }

  async #countRegistration(sourceIp: string): Promise<void> {
    const policy = { maxAttempts: this.config.limits.registrationsPerIpPerHour, windowMs: 3_600_000, lockoutMs: 3_600_000 };
    if (!(await this.limiter.consume(`register-ip:${sourceIp}`, policy))) throw new ApiException('TOO_MANY_REQUESTS');
  }

  async #tellOwnerOfAttempt(email: string, holders: Holder[]): Promise<void> {
    const owner = holders.find((holder) => holder.emailKey === emailKey(email)) ?? (await this.users.findOne({ emailKey: emailKey(email) }).lean());
    if (!owner) return;
    this.mail.sendInBackground(
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

  #sendWelcome(request: RegisterRequest, room: PersonalRoom, accessPin: string, token: string): void {
    this.mail.sendInBackground(
      request.email,
      welcomeMail({
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
      }),
    );
  }
}
