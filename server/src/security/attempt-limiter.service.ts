import { Inject, Injectable } from '@nestjs/common';
import { ATTEMPT_STORE, type AttemptStore } from './attempt-store';

export interface AttemptPolicy {
  /** Attempts allowed within one window; the next one starts the lockout. */
  maxAttempts: number;
  windowMs: number;
  /** A fixed lockout, or one that grows with the attempts made (exponential backoff). */
  lockoutMs: number | ((attempts: number) => number);
}

/** How often a reservation waiting for in-flight checks of the same budget looks again. */
const RESERVE_POLL_MS = 60;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const lockout = (policy: AttemptPolicy, attempts: number, now: Date) =>
  new Date(now.getTime() + (typeof policy.lockoutMs === 'number' ? policy.lockoutMs : policy.lockoutMs(attempts)));

/**
 * Budgets for guessable things (passwords, PINs, registrations), kept in an AttemptStore (the
 * database, or Redis with several nodes) so a restart or another node does not reset an attacker's
 * budget. An attempt is counted before the guess is checked, atomically, so a burst of parallel
 * requests cannot all slip in before the first failure is recorded. `consume` counts every attempt;
 * `reserve` (for PINs, which many people behind one address type correctly at the same moment)
 * counts only the attempts that fail.
 */
@Injectable()
export class AttemptLimiter {
  constructor(@Inject(ATTEMPT_STORE) private readonly store: AttemptStore) {}

  async isLocked(key: string, now = new Date()): Promise<boolean> {
    return (await this.lockedUntil(key, now)) !== null;
  }

  /** Until when the key is locked, or null when it is not (any more). */
  async lockedUntil(key: string, now = new Date()): Promise<Date | null> {
    const until = await this.store.lockedUntil(key);
    return until !== null && until > now ? until : null;
  }

  /** How many more failures `key`'s budget takes in its window; the attempt after them is locked out. */
  async remaining(key: string, policy: AttemptPolicy, now = new Date()): Promise<number> {
    return Math.max(0, policy.maxAttempts - (await this.store.failures(key, policy.windowMs, now)));
  }

  /** Counts one attempt; false when the key is locked or this attempt exceeds its budget. */
  async consume(key: string, policy: AttemptPolicy, now = new Date()): Promise<boolean> {
    if (await this.isLocked(key, now)) return false;
    const attempts = await this.store.count(key, policy.windowMs, now);
    if (attempts <= policy.maxAttempts) return true;
    await this.store.lock(key, lockout(policy, attempts, now));
    return false;
  }

  /** Takes back one attempt that turned out to be legitimate (a successful login from a shared address). */
  async refund(key: string): Promise<void> {
    await this.store.refund(key);
  }

  /**
   * Holds one attempt of `key`'s budget while a guess is checked; settle it with `refund` (right
   * guess, or the check broke) or `fail` (wrong guess). The store counts failures plus checks in
   * flight, and the failures alone: a reservation is granted while fewer than maxAttempts are
   * counted, so a burst of wrong guesses never gets more checks than the budget. When the budget is
   * full of checks still in flight, the caller waits (up to maxWaitMs) for them to end instead of
   * being refused: correct PINs arriving together all get in. Only when failures alone fill the
   * budget is the key locked. A check that waited too long is refused without a lock.
   */
  async reserve(key: string, policy: AttemptPolicy, maxWaitMs: number): Promise<boolean> {
    const giveUpAt = Date.now() + maxWaitMs;
    for (;;) {
      const now = new Date();
      if (await this.isLocked(key, now)) return false;
      const hold = await this.store.hold(key, policy.windowMs, policy.maxAttempts, now);
      if (hold.held) return true;
      if (hold.failures >= policy.maxAttempts) {
        await this.store.lock(key, lockout(policy, hold.failures + 1, now));
        return false;
      }
      if (Date.now() >= giveUpAt) return false;
      await sleep(RESERVE_POLL_MS + Math.random() * RESERVE_POLL_MS);
    }
  }

  /** Settles a reservation as a wrong guess: it stays counted, now as a failure. */
  async fail(key: string): Promise<void> {
    await this.store.fail(key);
  }

  /**
   * Spaces the attempts under `key` at least intervalMs apart, across all callers and server
   * nodes: the caller waits for its turn (true) unless that turn is more than maxWaitMs away
   * (false).
   */
  async takeTurn(key: string, intervalMs: number, maxWaitMs: number): Promise<boolean> {
    const waitMs = await this.store.bookTurn(key, intervalMs, maxWaitMs, new Date());
    if (waitMs === null) return false;
    await sleep(waitMs);
    return true;
  }

  /**
   * Counts a failure that was checked although the key is locked (the moderator PIN of a room
   * closed to guests) and extends the lockout to what the new total asks for: a backoff that keeps
   * growing as long as the failures go on. Returns the failures in the window.
   */
  async failWhileLocked(key: string, policy: AttemptPolicy, now = new Date()): Promise<number> {
    const failures = await this.store.countFailure(key);
    if (failures === 0) return 0;
    await this.store.lock(key, lockout(policy, failures + 1, now));
    return failures;
  }

  async clear(key: string): Promise<void> {
    await this.store.clear(key);
  }
}
