import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AttemptLimiter, type AttemptPolicy } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import { loginKey } from '../users/identity-keys';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * Checks a login with two budgets: per source IP (one attacker, many accounts) and per login
 * name (many sources, one account). The name budget counts even for names that do not exist,
 * so the answers never reveal which accounts do.
 */
@Injectable()
export class CredentialsService {
  readonly #logger = new Logger(CredentialsService.name);
  readonly #ipPolicy: AttemptPolicy;
  readonly #accountPolicy: AttemptPolicy;

  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly hasher: SecretHasher,
    private readonly limiter: AttemptLimiter,
  ) {
    const { loginFailuresPerIp, loginFailuresPerAccount, loginLockoutMs } = config.limits;
    this.#ipPolicy = { maxAttempts: loginFailuresPerIp, windowMs: loginLockoutMs, lockoutMs: loginLockoutMs };
    this.#accountPolicy = { maxAttempts: loginFailuresPerAccount, windowMs: loginLockoutMs, lockoutMs: loginLockoutMs };
  }

  async verify(login: string, password: string, sourceIp: string): Promise<AuthenticatedUser> {
    const user = await this.users.findActiveByLogin(login);
    const ipKey = `login-ip:${sourceIp}`;
    // Keyed by the account, so its username and email share one budget; unknown names get their own.
    const accountKey = user ? accountAttemptKey(user._id.toString()) : `login-name:${loginKey(login)}`;
    const withinBudget = (await this.limiter.consume(ipKey, this.#ipPolicy)) && (await this.limiter.consume(accountKey, this.#accountPolicy));
    if (!withinBudget) throw new ApiException('TOO_MANY_REQUESTS');
    if (!(await this.hasher.verify(user?.passwordHash, password))) {
      this.#logger.warn(`Failed login for ${JSON.stringify(login.slice(0, 64))} from ${sourceIp}`);
      throw new ApiException('INVALID_CREDENTIALS');
    }
    await Promise.all([this.limiter.clear(accountKey), this.limiter.refund(ipKey)]);
    return {
      id: user!._id.toString(),
      username: user!.username,
      pinsSet: user!.room.pinsSet,
      language: user!.language,
      sessionEpoch: user!.sessionEpoch,
    };
  }

  /** Password confirmations inside the customer area draw on the same budget as logins. */
  async confirm(userId: string, passwordHash: string | null, password: string): Promise<boolean> {
    if (!(await this.limiter.consume(accountAttemptKey(userId), this.#accountPolicy))) throw new ApiException('TOO_MANY_REQUESTS');
    const confirmed = await this.hasher.verify(passwordHash, password);
    if (confirmed) await this.limiter.clear(accountAttemptKey(userId));
    return confirmed;
  }
}

export function accountAttemptKey(userId: string): string {
  return `login-user:${userId}`;
}
