import { networkSource } from './network-source';

/** New calls admitted per sliding minute. */
export interface SipCallLimits {
  /** Per caller id (From's number, or P-Asserted-Identity from a trusted trunk). */
  perCallerPerMinute: number;
  /** Per network source (IPv4 address, IPv6 /64); trusted trunks have none. */
  perSourcePerMinute: number;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number; reason: 'caller' | 'source' };

const WINDOW_MS = 60_000;
/** Keys kept at most; a flood of fresh From numbers must not grow memory without bound. */
const MAX_KEYS = 50_000;

/**
 * Rate limits on new calls, checked before a call gets an RTP port or a menu. The From number is
 * whatever the caller wrote, so it cannot be the only key: a source address that rotates numbers
 * is held by its own, larger budget (a SIP trunk brings many callers from one address). PIN
 * guessing is limited separately, and across calls, by RoomAccess; this keeps a flood from
 * tying up ports and CPU first.
 *
 * In memory: a sliding window of call times per key. Losing it on restart only resets a minute.
 */
export class SipCallAdmission {
  readonly #limits: SipCallLimits;
  readonly #now: () => number;
  readonly #recent = new Map<string, number[]>();

  constructor(limits: SipCallLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /**
   * Counts the call when it is admitted; a refused call counts against nothing. A trusted trunk
   * brings every caller from one address, so it has no source budget: its callers are held by
   * their (asserted) caller ids alone.
   */
  admit(callerId: string, sourceAddress: string, trustedTrunk = false): Admission {
    const now = this.#now();
    const sourceKey = networkSource(sourceAddress);
    // Callers without a number (withheld, or a SIP URI) would otherwise share one budget server-wide.
    const callerKey = callerId === 'anonymous' ? `caller:anonymous@${sourceKey}` : `caller:${callerId}`;
    const caller = this.#window(callerKey, now);
    const source = trustedTrunk ? [] : this.#window(sourceKey, now);
    if (source.length >= this.#limits.perSourcePerMinute) return refusal('source', source, now);
    if (caller.length >= this.#limits.perCallerPerMinute) return refusal('caller', caller, now);
    this.#record(callerKey, caller, now);
    if (!trustedTrunk) this.#record(sourceKey, source, now);
    return { admitted: true };
  }

  #window(key: string, now: number): number[] {
    const times = this.#recent.get(key);
    if (!times) return [];
    const firstLive = times.findIndex((time) => now - time < WINDOW_MS);
    if (firstLive === -1) {
      this.#recent.delete(key);
      return [];
    }
    return firstLive === 0 ? times : times.slice(firstLive);
  }

  #record(key: string, times: number[], now: number): void {
    // Re-inserting keeps the Map in least-recently-used order, so eviction drops the stalest key.
    this.#recent.delete(key);
    this.#recent.set(key, [...times, now]);
    if (this.#recent.size > MAX_KEYS) this.#recent.delete(this.#recent.keys().next().value!);
  }
}

function refusal(reason: 'caller' | 'source', times: number[], now: number): Admission {
  return { admitted: false, reason, retryAfterSeconds: Math.max(1, Math.ceil((times[0]! + WINDOW_MS - now) / 1000)) };
}
