import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AttemptCounter } from './attempt-counter.schema';

export interface AttemptPolicy {
  /** Attempts allowed within one window; the one that reaches it starts the lockout. */
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
}

const DUPLICATE_KEY = 11000;

@Injectable()
export class AttemptLimiter {
  constructor(@InjectModel(AttemptCounter.name) private readonly counters: Model<AttemptCounter>) {}

  async lockedUntil(key: string, now = new Date()): Promise<Date | null> {
    const counter = await this.counters.findOne({ key }, { lockedUntil: 1 }).lean();
    return counter?.lockedUntil && counter.lockedUntil > now ? counter.lockedUntil : null;
  }

  /** Records one attempt; returns the lockout end when this attempt used up the budget. */
  async record(key: string, policy: AttemptPolicy, now = new Date()): Promise<Date | null> {
    const windowStart = new Date(now.getTime() - policy.windowMs);
    let counter = await this.counters.findOneAndUpdate(
      { key, windowStartedAt: { $gt: windowStart } },
      { $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    if (!counter) counter = await this.#startWindow(key, now);
    if (!counter) return this.record(key, policy, now);
    if (counter.attempts < policy.maxAttempts) return null;
    const lockedUntil = new Date(now.getTime() + policy.lockoutMs);
    await this.counters.updateOne({ key }, { $set: { lockedUntil } });
    return lockedUntil;
  }

  async clear(key: string): Promise<void> {
    await this.counters.deleteOne({ key });
  }

  /** The window expired or never existed: start it over; a concurrent starter makes us retry. */
  async #startWindow(key: string, now: Date) {
    try {
      return await this.counters.findOneAndUpdate(
        { key },
        { $set: { attempts: 1, windowStartedAt: now, lockedUntil: null } },
        { upsert: true, returnDocument: 'after' },
      );
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) return null;
      throw error;
    }
  }
}
