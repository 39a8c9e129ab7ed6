import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { passwordProblem } from '@konferenz/shared';
import { ApiException } from '../../common/api-exception';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MailService } from '../../mail/mail.service';
import { passwordChangedMail } from '../../mail/templates/password-changed-mail';
import { passwordResetMail } from '../../mail/templates/password-reset-mail';
import { AttemptLimiter, type AttemptPolicy } from '../../security/attempt-limiter.service';
import { SecretHasher } from '../../security/secret-hasher';
import { hashToken } from '../../security/token-hash';
import { loginKey } from '../../users/identity-keys';
import { USERS_REPOSITORY, type UserContact, type UsersRepository } from '../../users/users-repository';
import { accountAttemptKey } from '../credentials.service';
import { PasswordReset } from './password-reset.schema';

const DUPLICATE_KEY = 11000;
const HOUR_MS = 3_600_000;
/** Replacing an account's link races only with that account's other requests. */
const REPLACE_TRIES = 3;

/**
 * Password reset by mail. Asking for a link answers the same, in the same time, whether or not
 * the account exists: everything that differs happens after the answer. Using a link sets the new
 * password, ends every session of the account and lifts its login lockout.
 */
@Injectable()
export class PasswordResetService {
  readonly #logger = new Logger(PasswordResetService.name);
  readonly #ipPolicy: AttemptPolicy;
  readonly #accountPolicy: AttemptPolicy;
  readonly #ttlMs: number;

  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    @InjectModel(PasswordReset.name) private readonly resets: Model<PasswordReset>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hasher: SecretHasher,
    private readonly limiter: AttemptLimiter,
    private readonly mail: MailService,
  ) {
    const { ttlMs, perIpPerHour, perAccountPerHour } = config.passwordReset;
    this.#ttlMs = ttlMs;
    this.#ipPolicy = { maxAttempts: perIpPerHour, windowMs: HOUR_MS, lockoutMs: HOUR_MS };
    this.#accountPolicy = { maxAttempts: perAccountPerHour, windowMs: HOUR_MS, lockoutMs: HOUR_MS };
  }

  /**
   * Counts the request per source and per account (unknown names have budgets of their own, so a
   * refusal tells nothing either), then issues and mails the link in the background.
   */
  /** `source` is the network source: the IPv4 address or the IPv6 /64. */
  async request(login: string, source: string): Promise<void> {
    if (!(await this.limiter.consume(`reset-${source}`, this.#ipPolicy))) throw new ApiException('TOO_MANY_REQUESTS');
    const account = await this.users.findContactByLogin(login);
    const budgetKey = account ? `reset-user:${account._id.toString()}` : `reset-name:${loginKey(login)}`;
    if (!(await this.limiter.consume(budgetKey, this.#accountPolicy))) throw new ApiException('TOO_MANY_REQUESTS');
    if (account) this.#issue(account).catch((error: Error) => this.#logger.error(`Password reset link not issued: ${error.message}`));
  }

  /**
   * The password is checked before the link is used up, so a refused password leaves it valid.
   * Of concurrent uses of one link only the one whose delete removes it goes on.
   */
  async reset(token: string, newPassword: string, now = new Date()): Promise<void> {
    const open = await this.resets.findOne({ tokenHash: hashToken(token), expiresAt: { $gt: now } }).lean();
    const account = open && (await this.users.findActive(open.userId));
    if (!open || !account) throw new ApiException('TOKEN_INVALID');
    const problem = passwordProblem(newPassword, account);
    if (problem) throw new ApiException('VALIDATION_FAILED', [{ field: 'newPassword', code: problem }]);
    const passwordHash = await this.hasher.hash(newPassword);
    // deletedCount is exact on FerretDB too (its updates are not atomic, its deletes are).
    if ((await this.resets.deleteOne({ _id: open._id, tokenHash: open.tokenHash })).deletedCount !== 1) throw new ApiException('TOKEN_INVALID');
    // A new epoch ends every session of the account (SessionSerializer compares it).
    await this.users.setPassword(account._id, passwordHash);
    await this.limiter.clear(accountAttemptKey(account._id.toString()));
    this.mail.sendInBackground(account.email, passwordChangedMail({ ...this.#names(account), forgotUrl: `${this.config.publicUrl}/forgot-password` }));
  }

  async #issue(account: UserContact, now = new Date()): Promise<void> {
    // 256 random bits, like the verification link's; only the hash is stored.
    const token = randomBytes(32).toString('hex');
    const tokenHash = hashToken(token);
    await this.resets.deleteMany({ expiresAt: { $lte: now } });
    // One open link per account, by the unique userId: a new request replaces the old link.
    for (let attempt = 1; ; attempt++) {
      await this.resets.deleteOne({ userId: account._id });
      try {
        await this.resets.create({ userId: account._id, tokenHash, expiresAt: new Date(now.getTime() + this.#ttlMs) });
        break;
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY || attempt === REPLACE_TRIES) throw error;
      }
    }
    await this.mail.send(
      account.email,
      passwordResetMail({
        ...this.#names(account),
        resetUrl: `${this.config.publicUrl}/reset-password?token=${token}`,
        validMinutes: Math.round(this.#ttlMs / 60_000),
      }),
    );
  }

  #names(account: UserContact) {
    return { language: account.language, firstName: account.firstName, lastName: account.lastName, username: account.username };
  }
}
