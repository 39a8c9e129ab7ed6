export interface SocketEventLimits {
  /** Events a socket may send per second, on average. */
  perSecond: number;
  /** Events it may send at once (a join's media setup, a room full of consumers to resume). */
  burst: number;
  /** Refused events within `abuseWindowMs` after which the socket is treated as abusive. */
  abuseRefusals: number;
  abuseWindowMs: number;
}

/**
 * One socket's allowance of incoming events: a token bucket (refill `perSecond`, capacity
 * `burst`), plus a count of refused events so a client that keeps pushing past its budget can be
 * told apart from one that merely had a busy moment.
 */
export class SocketEventBudget {
  #tokens: number;
  #refilledAt: number;
  #refusals = 0;
  #refusalWindowStart = 0;

  constructor(
    private readonly limits: SocketEventLimits,
    now = Date.now(),
  ) {
    this.#tokens = limits.burst;
    this.#refilledAt = now;
  }

  /** 'ok': go ahead; 'refused': over budget; 'abusive': refused, and too often lately. */
  take(now = Date.now()): 'ok' | 'refused' | 'abusive' {
    this.#tokens = Math.min(this.limits.burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.limits.perSecond);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'ok';
    }
    if (now - this.#refusalWindowStart > this.limits.abuseWindowMs) {
      this.#refusalWindowStart = now;
      this.#refusals = 0;
    }
    this.#refusals++;
    return this.#refusals >= this.limits.abuseRefusals ? 'abusive' : 'refused';
  }
}
