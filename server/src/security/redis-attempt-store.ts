import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ClusterRedis } from '../cluster/cluster-redis';
import { ApiException } from '../common/api-exception';
import type { AttemptStore } from './attempt-store';
import { BOOK_TURN, COUNT_ATTEMPT, COUNT_FAILURE, FAIL_ATTEMPT, HOLD_ATTEMPT, LOCK_KEY, REFUND_ATTEMPT } from './attempt-scripts';

type CounterCommands = {
  countAttempt(key: string, now: number, windowMs: number): Promise<number>;
  holdAttempt(key: string, now: number, windowMs: number, maxAttempts: number): Promise<[number, number?]>;
  lockKey(key: string, until: number): Promise<number>;
  refundAttempt(key: string): Promise<number>;
  failAttempt(key: string): Promise<number>;
  countFailure(key: string): Promise<number>;
  bookTurn(key: string, now: number, intervalMs: number, maxWaitMs: number): Promise<number>;
};

const counterKey = (key: string) => `attempts:${key}`;

/**
 * Attempt counters in Redis (`konferenz:attempts:<key>`), shared by every node: the embedded
 * database loses updates that several nodes make at once, Redis runs each script alone. While
 * Redis is away nothing can be counted, so nothing guessable is checked: logins, PIN checks and
 * registrations answer SERVICE_UNAVAILABLE at once (the connection has no offline queue) and work
 * again when Redis is back.
 */
export class RedisAttemptStore implements AttemptStore {
  readonly #logger = new Logger('AttemptStore');
  readonly #redis: Redis & CounterCommands;
  #failing = false;
  readonly #connected: Promise<void>;

  constructor(cluster: ClusterRedis) {
    const redis = cluster.client;
    const scripts = {
      countAttempt: COUNT_ATTEMPT,
      holdAttempt: HOLD_ATTEMPT,
      lockKey: LOCK_KEY,
      refundAttempt: REFUND_ATTEMPT,
      failAttempt: FAIL_ATTEMPT,
      countFailure: COUNT_FAILURE,
      bookTurn: BOOK_TURN,
    };
    for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 1, lua });
    this.#redis = redis as Redis & CounterCommands;
    this.#connected = cluster.connected;
  }

  lockedUntil(key: string): Promise<Date | null> {
    return this.#run(async (redis) => {
      const until = Number((await redis.hget(counterKey(key), 'l')) ?? 0);
      return until > 0 ? new Date(until) : null;
    });
  }

  failures(key: string, windowMs: number, now: Date): Promise<number> {
    return this.#run(async (redis) => {
      // One HMGET reads both fields at once: no script needed for a read.
      const [windowStartedAt, failures] = await redis.hmget(counterKey(key), 'w', 'f');
      return Number(windowStartedAt ?? 0) > now.getTime() - windowMs ? Number(failures ?? 0) : 0;
    });
  }

  count(key: string, windowMs: number, now: Date): Promise<number> {
    return this.#run((redis) => redis.countAttempt(counterKey(key), now.getTime(), windowMs));
  }

  hold(key: string, windowMs: number, maxAttempts: number, now: Date): Promise<{ held: true } | { held: false; failures: number }> {
    return this.#run(async (redis) => {
      const [held, failures] = await redis.holdAttempt(counterKey(key), now.getTime(), windowMs, maxAttempts);
      return held === 1 ? { held: true } : { held: false, failures: failures ?? 0 };
    });
  }

  async lock(key: string, until: Date): Promise<void> {
    await this.#run((redis) => redis.lockKey(counterKey(key), until.getTime()));
  }

  async refund(key: string): Promise<void> {
    await this.#run((redis) => redis.refundAttempt(counterKey(key)));
  }

  async fail(key: string): Promise<void> {
    await this.#run((redis) => redis.failAttempt(counterKey(key)));
  }

  countFailure(key: string): Promise<number> {
    return this.#run((redis) => redis.countFailure(counterKey(key)));
  }

  bookTurn(key: string, intervalMs: number, maxWaitMs: number, now: Date): Promise<number | null> {
    return this.#run(async (redis) => {
      const waitMs = await redis.bookTurn(counterKey(key), now.getTime(), intervalMs, maxWaitMs);
      return waitMs < 0 ? null : waitMs;
    });
  }

  async clear(key: string): Promise<void> {
    await this.#run((redis) => redis.del(counterKey(key)));
  }

  /** A Redis error becomes a clear 503; logged when the failures start and when they end. */
  async #run<T>(command: (redis: Redis & CounterCommands) => Promise<T>): Promise<T> {
    await this.#connected;
    try {
      const result = await command(this.#redis);
      if (this.#failing) this.#logger.log('Attempt counters reachable again');
      this.#failing = false;
      return result;
    } catch (error) {
      if (!this.#failing) this.#logger.warn(`Attempt counters unreachable (${(error as Error).message}): logins and PIN checks answer "service unavailable"`);
      this.#failing = true;
      throw new ApiException('SERVICE_UNAVAILABLE');
    }
  }
}
