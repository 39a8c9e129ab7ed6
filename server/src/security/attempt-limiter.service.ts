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
/** How often a reservation waiting for in-flight checks of the same budget looks again. */
const RESERVE_POLL_MS = 60;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Budgets for guessable things (passwords, PINs, registrations), kept in the database. An attempt
 * is counted before the guess is checked, atomically, so a burst of parallel requests cannot all
 * slip in before the first failure is recorded. `consume` counts every attempt; `reserve` (for
 * PINs, which many people behind one address type correctly at the same moment) counts only the
 * attempts that fail.
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

  /**
   * Holds one attempt of `key`'s budget while a guess is checked; settle it with `refund` (right
   * guess, or the check broke) or `fail` (wrong guess). `attempts` counts failures plus checks in
   * flight, `failures` only the failures: a reservation is granted while attempts < maxAttempts, so
   * a burst of wrong guesses never gets more checks than the budget. When the budget is full of
   * checks still in flight, the caller waits (up to maxWaitMs) for them to end instead of being
   * refused: correct PINs arriving together all get in. Only when `failures` alone fill the budget
   * is the key locked. A check that waited too long is refused without a lock.
   */
  async reserve(key: string, policy: AttemptPolicy, maxWaitMs: number): Promise<boolean> {
    const giveUpAt = Date.now() + maxWaitMs;
    for (;;) {
      const now = new Date();
      if (await this.isLocked(key, now)) return false;
      const windowStart = new Date(now.getTime() - policy.windowMs);
      const held = await this.counters.findOneAndUpdate(
        { key, windowStartedAt: { $gt: windowStart }, attempts: { $lt: policy.maxAttempts } },
        { $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      if (held) return true;
      const counter = await this.counters.findOne({ key }).lean();
      if (!counter || counter.windowStartedAt <= windowStart) {
        if (await this.#restartWindow(key, windowStart, now)) return true;
        continue;
      }
      const failures = counter.failures ?? 0;
      if (failures >= policy.maxAttempts) {
        const lockoutMs = typeof policy.lockoutMs === 'number' ? policy.lockoutMs : policy.lockoutMs(failures + 1);
        await this.counters.updateOne({ key }, { $set: { lockedUntil: new Date(now.getTime() + lockoutMs) } });
        return false;
      }
      if (Date.now() >= giveUpAt) return false;
      await sleep(RESERVE_POLL_MS + Math.random() * RESERVE_POLL_MS);
    }
  }

  /** Settles a reservation as a wrong guess: it stays counted, now as a failure. */
  async fail(key: string): Promise<void> {
    await this.counters.updateOne({ key }, { $inc: { failures: 1 } });
  }

  /**
   * Spaces the attempts under `key` at least intervalMs apart, across all callers and server
   * nodes: the caller waits for its turn (true) unless that turn is more than maxWaitMs away
   * (false). `lockedUntil` holds when the next turn is free.
   */
  async takeTurn(key: string, intervalMs: number, maxWaitMs: number): Promise<boolean> {
    for (;;) {
      const now = Date.now();
      const counter = await this.counters.findOne({ key }).lean();
      const freeAt = Math.max(counter?.lockedUntil?.getTime() ?? 0, now);
      if (freeAt - now > maxWaitMs) return false;
      const next = new Date(freeAt + intervalMs);
      if (await this.#claimTurn(key, counter?.lockedUntil ?? null, counter !== null, next, new Date(now))) {
        await sleep(freeAt - now);
        return true;
      }
    }
  }

  /**
   * Counts a failure that was checked although the key is locked (the moderator PIN of a room
   * closed to guests) and extends the lockout to what the new total asks for: a backoff that keeps
   * growing as long as the failures go on. Returns the failures in the window.
   */
  async failWhileLocked(key: string, policy: AttemptPolicy, now = new Date()): Promise<number> {
    const counted = await this.counters.findOneAndUpdate({ key }, { $inc: { attempts: 1, failures: 1 } }, { returnDocument: 'after' }).lean();
    if (!counted) return 0;
    const lockoutMs = typeof policy.lockoutMs === 'number' ? policy.lockoutMs : policy.lockoutMs(counted.failures + 1);
    const until = new Date(now.getTime() + lockoutMs);
    await this.counters.updateOne({ key, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: until } }] }, { $set: { lockedUntil: until } });
    return counted.failures;
  }

  async clear(key: string): Promise<void> {
    await this.counters.deleteOne({ key });
  }

  /** Only one of several concurrent callers claims each turn: the update matches the turn it read. */
  async #claimTurn(key: string, readFreeAt: Date | null, exists: boolean, next: Date, now: Date): Promise<boolean> {
    if (exists) {
      const claimed = await this.counters.updateOne(
        { key, lockedUntil: readFreeAt },
        { $set: { lockedUntil: next, windowStartedAt: now }, $inc: { attempts: 1 } },
      );
      return claimed.modifiedCount === 1;
    }
    try {
      await this.counters.create({ key, attempts: 1, failures: 0, windowStartedAt: now, lockedUntil: next });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return false;
    }
  }

  /** Starts a fresh window holding this one attempt; false when a concurrent caller did it first. */
  async #restartWindow(key: string, windowStart: Date, now: Date): Promise<boolean> {
    const restarted = await this.counters.findOneAndUpdate(
      { key, windowStartedAt: { $lte: windowStart } },
      { $set: { attempts: 1, failures: 0, windowStartedAt: now, lockedUntil: null } },
      { returnDocument: 'after' },
    );
    if (restarted) return true;
    try {
      await this.counters.create({ key, attempts: 1, failures: 0, windowStartedAt: now, lockedUntil: null });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return false;
    }
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
        { $set: { attempts: 1, failures: 0, windowStartedAt: now, lockedUntil: null } },
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
