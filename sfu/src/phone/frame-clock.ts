import { performance } from 'node:perf_hooks';

export interface FrameClockOptions {
  /** Default 20. */
  frameMs?: number;
  /**
   * When the event loop was held up this many frames or more, the frames
   * missed are skipped rather than made up in a burst: the tick reports how
   * many, and senders advance their RTP timestamps past the gap. Default 5.
   */
  maxCatchUpFrames?: number;
  /** For tests. */
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** One tick of the clock: frame `index` (counted from 0 at start) is due now. */
export interface FrameTick {
  index: number;
  /** Frames skipped just before this one (the process was held up). */
  skipped: number;
  nowMs: number;
}

/**
 * A 20 ms media clock on Node's timers that does not drift: each tick is
 * scheduled for start + n * frameMs rather than "20 ms after the last one",
 * late ticks run at once (a few in a row when needed), and after a long
 * stall the missed frames are skipped. The frame index, not the wall clock,
 * is what RTP timestamps are derived from.
 */
export class FrameClock {
  readonly frameMs: number;
  readonly #maxCatchUp: number;
  readonly #now: () => number;
  readonly #setTimer: (callback: () => void, ms: number) => unknown;
  readonly #clearTimer: (timer: unknown) => void;
  readonly #onTick: (tick: FrameTick) => void;
  #startMs = 0;
  #next = 0;
  #timer: unknown;
  #running = false;

  constructor(onTick: (tick: FrameTick) => void, options: FrameClockOptions = {}) {
    this.frameMs = options.frameMs ?? 20;
    this.#maxCatchUp = options.maxCatchUpFrames ?? 5;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.#clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as NodeJS.Timeout));
    this.#onTick = onTick;
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startMs = this.#now();
    this.#next = 0;
    this.#run();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.#now();
    const due = Math.floor((now - this.#startMs) / this.frameMs);
    let skipped = 0;
    if (due - this.#next >= this.#maxCatchUp) {
      skipped = due - this.#next;
      this.#next = due;
    }
    while (this.#running && this.#next <= due) {
      const index = this.#next++;
      try {
        this.#onTick({ index, skipped, nowMs: now });
      } catch {
        // A tick's work must not stop the clock; the tick handler reports its own problems.
      }
      skipped = 0;
    }
    if (!this.#running) return;
    const wait = Math.max(0, this.#startMs + this.#next * this.frameMs - this.#now());
    this.#timer = this.#setTimer(() => this.#run(), wait);
  }
}
