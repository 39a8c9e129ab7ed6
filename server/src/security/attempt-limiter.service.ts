import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AttemptCounter } from './attempt-counter.schema';

export interface AttemptPolicy {
  /** Attempts allowed within one window; the next one starts the lockout. */
  maxAttempts: number;
  windowMs: number;
  /** A fixed lockout, or one that grows with the attempts made (exponential backoff). */
  lockoutMs: number | ((attempts: number) => number);
}

const DUPLICATE_KEY = 11000;
/** Every budget's window is at most an hour; a day-old counter that holds no lockout counts nothing. */
const STALE_AFTER_MS = 24 * 60 * 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Budgets for guessable things (passwords, PINs, registrations), kept in the database. An attempt
 * is counted before the guess is checked, atomically, so a burst of parallel requests cannot all
 * slip in before the first failure is recorded.
 */
@Injectable()
export class AttemptLimiter implements OnModuleInit, OnModuleDestroy {
  #sweeper: NodeJS.Timeout | undefined;

  constructor(@InjectModel(AttemptCounter.name) private readonly counters: Model<AttemptCounter>) {}

  /** Guessers create a counter per key they try; old ones are swept so they cannot fill the database. */
  onModuleInit(): void {
    this.#sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_EVERY_MS);
    this.#sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.#sweeper);
  }

  async sweep(now = new Date()): Promise<void> {
    await this.counters.deleteMany({
      windowStartedAt: { $lt: new Date(now.getTime() - STALE_AFTER_MS) },
      $or: [{ lockedUntil: null }, { lockedUntil: { $lt: now } }],
    });
  }

  async isLocked(key: string, now = new Date()): Promise<boolean> {
    const counter = await this.counters.findOne({ key }, { lockedUntil: 1 }).lean();
    return !!counter?.lockedUntil && counter.lockedUntil > now;
  }

  /** Counts one attempt; false when the key is locked or this attempt exceeds its budget. */
  async consume(key: string, policy: AttemptPolicy, now = new Date()): Promise<boolean> {
    if (await this.isLocked(key, now)) return false;
    const attempts = await this.#increment(key, policy.windowMs, now);
    if (attempts <= policy.maxAttempts) return true;
    const lockoutMs = typeof policy.lockoutMs === 'number' ? policy.lockoutMs : policy.lockoutMs(attempts);
    await this.counters.updateOne({ key }, { $set: { lockedUntil: new Date(now.getTime() + lockoutMs) } });
    return false;
  }

  /** Takes back one attempt that turned out to be legitimate (a successful login from a shared address). */
  async refund(key: string): Promise<void> {
    await this.counters.updateOne({ key, attempts: { $gt: 0 } }, { $inc: { attempts: -1 } });
  }

  async clear(key: string): Promise<void> {
    await this.counters.deleteOne({ key });
  }

  async #increment(key: string, windowMs: number, now: Date): Promise<number> {
    const windowStart = new Date(now.getTime() - windowMs);
    for (;;) {
      const counted = await this.counters.findOneAndUpdate(
        { key, windowStartedAt: { $gt: windowStart } },
        { $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      if (counted) return counted.attempts;
      // The window expired: only one of several concurrent callers restarts it.
      const restarted = await this.counters.findOneAndUpdate(
        { key, windowStartedAt: { $lte: windowStart } },
        { $set: { attempts: 1, windowStartedAt: now, lockedUntil: null } },
        { returnDocument: 'after' },
      );
      if (restarted) return restarted.attempts;
      try {
        await this.counters.create({ key, attempts: 1, windowStartedAt: now, lockedUntil: null });
        return 1;
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
    }
  }
}
