/**
 * Where the attempt counters live: the database (one node, `npm start`) or Redis (several nodes,
 * `REDIS_URL`). Each operation is one atomic step in the store, so nodes counting one key at once
 * lose no count; the policies (budgets, lockouts, waiting) are AttemptLimiter's.
 */
export interface AttemptStore {
  /** Until when the key is locked, or null. */
  lockedUntil(key: string): Promise<Date | null>;
  /** The failures in the key's window, 0 when it has none or its window is over; counts nothing. */
  failures(key: string, windowMs: number, now: Date): Promise<number>;
  /** Counts one attempt in the key's window (a new window when the last one is older than windowMs); the attempts in it. */
  count(key: string, windowMs: number, now: Date): Promise<number>;
  /**
   * Holds one attempt while fewer than maxAttempts are in the window (a new window when the last
   * one is older than windowMs); otherwise says how many of the window's attempts were failures.
   */
  hold(key: string, windowMs: number, maxAttempts: number, now: Date): Promise<{ held: true } | { held: false; failures: number }>;
  /** Locks an existing key until `until`; a lock already reaching further stays. */
  lock(key: string, until: Date): Promise<void>;
  /** Gives one attempt back (never below zero). */
  refund(key: string): Promise<void>;
  /** Marks one held attempt as a failure. */
  fail(key: string): Promise<void>;
  /** Counts one more attempt that failed on an existing key; its failures now (0 when the key has no counter). */
  countFailure(key: string): Promise<number>;
  /**
   * Books the next turn of `key`, turns being intervalMs apart: how many milliseconds from now it
   * starts, or null when that is more than maxWaitMs away (nothing booked then).
   */
  bookTurn(key: string, intervalMs: number, maxWaitMs: number, now: Date): Promise<number | null>;
  clear(key: string): Promise<void>;
}

export const ATTEMPT_STORE = Symbol('ATTEMPT_STORE');
