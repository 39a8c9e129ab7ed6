export interface RetryPolicy {
  retryMinMs: number;
  retryMaxMs: number;
  giveUpAfterMs: number;
}

/** The wait after the n-th failed delivery (n >= 1): the minimum, doubling each time, capped at the maximum. */
export function retryDelayMs(failures: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, failures - 1);
  // 2^31 s already exceeds any sensible maximum; the cap keeps the power from overflowing.
  return Math.min(policy.retryMinMs * 2 ** Math.min(exponent, 31), policy.retryMaxMs);
}

/** When the next attempt is due, or null when the mail has been tried long enough and is given up. */
export function nextAttemptAt(queuedAt: Date, failures: number, policy: RetryPolicy, now: Date): Date | null {
  const next = new Date(now.getTime() + retryDelayMs(failures, policy));
  return next.getTime() - queuedAt.getTime() > policy.giveUpAfterMs ? null : next;
}
