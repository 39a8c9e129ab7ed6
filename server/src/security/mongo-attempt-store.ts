import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Model } from 'mongoose';
import type { AttemptCounter } from './attempt-counter.schema';
import type { AttemptStore } from './attempt-store';

const DUPLICATE_KEY = 11000;
/** Kept a day past its window's start (the budgets' windows are hours), or while it holds a lockout. */
const STALE_AFTER_MS = 24 * 60 * 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Attempt counters as documents of `attempt_counters`, one per key. Each change is one
 * conditional single-document update, atomic on MongoDB; the embedded FerretDB runs them one at a
 * time only within one node (src/cluster/single-writer-database.ts), which is why several nodes
 * count in Redis instead.
 */
export class MongoAttemptStore implements AttemptStore, OnModuleInit, OnModuleDestroy {
  #sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly counters: Model<AttemptCounter>) {}

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

  async lockedUntil(key: string): Promise<Date | null> {
    const counter = await this.counters.findOne({ key }, { lockedUntil: 1 }).lean();
    return counter?.lockedUntil ?? null;
  }

  async failures(key: string, windowMs: number, now: Date): Promise<number> {
    const counter = await this.counters.findOne({ key }, { failures: 1, windowStartedAt: 1 }).lean();
    return counter && counter.windowStartedAt.getTime() > now.getTime() - windowMs ? (counter.failures ?? 0) : 0;
  }

  async count(key: string, windowMs: number, now: Date): Promise<number> {
    const windowStart = new Date(now.getTime() - windowMs);
    for (;;) {
      const counted = await this.counters.findOneAndUpdate(
        { key, windowStartedAt: { $gt: windowStart } },
        { $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      if (counted) return counted.attempts;
      if (await this.#restartWindow(key, windowStart, now)) return 1;
    }
  }

  async hold(key: string, windowMs: number, maxAttempts: number, now: Date): Promise<{ held: true } | { held: false; failures: number }> {
    const windowStart = new Date(now.getTime() - windowMs);
    for (;;) {
      const held = await this.counters.findOneAndUpdate(
        { key, windowStartedAt: { $gt: windowStart }, attempts: { $lt: maxAttempts } },
        { $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      if (held) return { held: true };
      const counter = await this.counters.findOne({ key }).lean();
      if (counter && counter.windowStartedAt > windowStart) return { held: false, failures: counter.failures ?? 0 };
      if (await this.#restartWindow(key, windowStart, now)) return { held: true };
    }
  }

  async lock(key: string, until: Date): Promise<void> {
    await this.counters.updateOne({ key, $or: [{ lockedUntil: null }, { lockedUntil: { $lt: until } }] }, { $set: { lockedUntil: until } });
  }

  async refund(key: string): Promise<void> {
    await this.counters.updateOne({ key, attempts: { $gt: 0 } }, { $inc: { attempts: -1 } });
  }

  async fail(key: string): Promise<void> {
    await this.counters.updateOne({ key }, { $inc: { failures: 1 } });
  }

  async countFailure(key: string): Promise<number> {
    const counted = await this.counters.findOneAndUpdate({ key }, { $inc: { attempts: 1, failures: 1 } }, { returnDocument: 'after' }).lean();
    return counted?.failures ?? 0;
  }

  /** `lockedUntil` holds when the next turn is free; of several callers reading the same turn, one claims it. */
  async bookTurn(key: string, intervalMs: number, maxWaitMs: number, now: Date): Promise<number | null> {
    // Each try reads the clock again: a turn booked after a lost race is counted from then.
    for (let at = now; ; at = new Date()) {
      const counter = await this.counters.findOne({ key }).lean();
      const freeAt = Math.max(counter?.lockedUntil?.getTime() ?? 0, at.getTime());
      if (freeAt - at.getTime() > maxWaitMs) return null;
      const next = new Date(freeAt + intervalMs);
      if (await this.#claimTurn(key, counter?.lockedUntil ?? null, counter !== null, next, at)) return Math.max(0, freeAt - Date.now());
    }
  }

  async clear(key: string): Promise<void> {
    await this.counters.deleteOne({ key });
  }

  /** The update matches the turn it read, so only one of several concurrent callers claims it. */
  async #claimTurn(key: string, readFreeAt: Date | null, exists: boolean, next: Date, now: Date): Promise<boolean> {
    if (exists) {
      const claimed = await this.counters.updateOne(
        { key, lockedUntil: readFreeAt },
        { $set: { lockedUntil: next, windowStartedAt: now }, $inc: { attempts: 1 } },
      );
      return claimed.modifiedCount === 1;
    }
    return this.#create(key, now, next);
  }

  /** Starts a fresh window holding this one attempt; false when a concurrent caller did it first. */
  async #restartWindow(key: string, windowStart: Date, now: Date): Promise<boolean> {
    const restarted = await this.counters.findOneAndUpdate(
      { key, windowStartedAt: { $lte: windowStart } },
      { $set: { attempts: 1, failures: 0, windowStartedAt: now, lockedUntil: null } },
      { returnDocument: 'after' },
    );
    return restarted !== null || this.#create(key, now, null);
  }

  async #create(key: string, now: Date, lockedUntil: Date | null): Promise<boolean> {
    try {
      await this.counters.create({ key, attempts: 1, failures: 0, windowStartedAt: now, lockedUntil });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return false;
    }
  }
}
