import type { DtmfDigit } from '@konferenz/sip';

export interface DigitCollectorOptions {
  /**
   * The longest valid entry. A key beyond it ends the entry at once (as too long); reaching it
   * does not, so the '#' the caller presses next is not left over for the following entry.
   */
  maxDigits: number;
  /** Time allowed between two keys once the first key was pressed. */
  interDigitTimeoutMs: number;
  /** Time allowed for the whole entry, from the start of collection. */
  overallTimeoutMs: number;
  terminator?: DtmfDigit;
}

export type CollectedEntry =
  { kind: 'complete'; digits: string; by: 'terminator' | 'max-digits' } | { kind: 'timeout'; digits: string; which: 'inter-digit' | 'overall' };

/**
 * Collects one keypad entry (a room number, a PIN) with explicit time, so it has no timers of
 * its own: the caller passes `now` in and asks `deadline()` when to call `expire()` next.
 * '#' ends the entry; `*` and the letters are not digits and are kept only as what was typed.
 */
export class DigitCollector {
  #digits = '';
  #lastKeyAt?: number;
  #done = false;
  readonly #startedAt: number;
  readonly #terminator: DtmfDigit;

  constructor(
    private readonly options: DigitCollectorOptions,
    now: number,
  ) {
    this.#startedAt = now;
    this.#terminator = options.terminator ?? '#';
  }

  get digits(): string {
    return this.#digits;
  }

  get done(): boolean {
    return this.#done;
  }

  push(key: DtmfDigit, now: number): CollectedEntry | null {
    if (this.#done) return null;
    const timedOut = this.expire(now);
    if (timedOut) return timedOut;
    if (key === this.#terminator) return this.#finish({ kind: 'complete', digits: this.#digits, by: 'terminator' });
    this.#digits += key;
    this.#lastKeyAt = now;
    // One key too many also ends the entry; whoever reads it decides that it is invalid.
    if (this.#digits.length > this.options.maxDigits) return this.#finish({ kind: 'complete', digits: this.#digits, by: 'max-digits' });
    return null;
  }

  /** When `expire` must next be called. */
  deadline(): number {
    const overall = this.#startedAt + this.options.overallTimeoutMs;
    return this.#lastKeyAt === undefined ? overall : Math.min(overall, this.#lastKeyAt + this.options.interDigitTimeoutMs);
  }

  expire(now: number): CollectedEntry | null {
    if (this.#done) return null;
    if (now >= this.#startedAt + this.options.overallTimeoutMs) {
      return this.#finish({ kind: 'timeout', digits: this.#digits, which: 'overall' });
    }
    if (this.#lastKeyAt !== undefined && now >= this.#lastKeyAt + this.options.interDigitTimeoutMs) {
      return this.#finish({ kind: 'timeout', digits: this.#digits, which: 'inter-digit' });
    }
    return null;
  }

  #finish(entry: CollectedEntry): CollectedEntry {
    this.#done = true;
    return entry;
  }
}
