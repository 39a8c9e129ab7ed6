export type SendConsumerSize = (consumerId: string, width: number, height: number) => void;

interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Tells the server how large each received video is drawn, so it forwards the simulcast layer
 * that fits: debounced per consumer (a window being resized reports once it settles), and only
 * when the size changed since the last report. 0 × 0 means "not visible": the server may pause it.
 */
export class ConsumerSizeReporter {
  readonly #send: SendConsumerSize;
  readonly #delayMs: number;
  readonly #timers: Timers;
  readonly #pending = new Map<string, { width: number; height: number; timer: unknown }>();
  readonly #sent = new Map<string, string>();
  readonly #known = new Set<string>();

  constructor(send: SendConsumerSize, delayMs = 300, timers: Timers = globalTimers) {
    this.#send = send;
    this.#delayMs = delayMs;
    this.#timers = timers;
  }

  /** A consumer whose sizes may be reported; reports for others are dropped. */
  track(consumerId: string): void {
    this.#known.add(consumerId);
  }

  /** The consumer is gone: nothing more is sent for it. */
  forget(consumerId: string): void {
    this.#known.delete(consumerId);
    this.#sent.delete(consumerId);
    const pending = this.#pending.get(consumerId);
    if (pending) this.#timers.clearTimeout(pending.timer);
    this.#pending.delete(consumerId);
  }

  report(consumerId: string, width: number, height: number): void {
    if (!this.#known.has(consumerId)) return;
    const size = { width: Math.max(0, Math.round(width)), height: Math.max(0, Math.round(height)) };
    const previous = this.#pending.get(consumerId);
    if (previous) this.#timers.clearTimeout(previous.timer);
    const timer = this.#timers.setTimeout(() => this.#flush(consumerId), this.#delayMs);
    this.#pending.set(consumerId, { ...size, timer });
  }

  dispose(): void {
    for (const { timer } of this.#pending.values()) this.#timers.clearTimeout(timer);
    this.#pending.clear();
    this.#known.clear();
    this.#sent.clear();
  }

  #flush(consumerId: string): void {
    const pending = this.#pending.get(consumerId);
    this.#pending.delete(consumerId);
    if (!pending || !this.#known.has(consumerId)) return;
    const key = `${pending.width}x${pending.height}`;
    if (this.#sent.get(consumerId) === key) return;
    this.#sent.set(consumerId, key);
    this.#send(consumerId, pending.width, pending.height);
  }
}
