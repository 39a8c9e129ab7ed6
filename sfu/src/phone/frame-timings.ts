/** How long a room's 20 ms frames took, over a window. */
export interface FrameTimingStats {
  frames: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The most recent frames a window's percentiles are taken over (one minute of 20 ms frames). */
const KEPT = 3000;

/**
 * The time each frame's work took, collected until `take` summarizes the
 * window and starts the next. Memory stays bounded when nobody takes:
 * percentiles cover the last KEPT frames, counts and the maximum all of them.
 */
export class FrameTimings {
  readonly #kept = new Float64Array(KEPT);
  #frames = 0;
  #max = 0;

  record(ms: number): void {
    this.#kept[this.#frames % KEPT] = ms;
    this.#frames++;
    if (ms > this.#max) this.#max = ms;
  }

  take(): FrameTimingStats {
    const frames = this.#frames;
    const sorted = this.#kept.slice(0, Math.min(frames, KEPT)).sort();
    const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    const stats = { frames, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: this.#max };
    this.#frames = 0;
    this.#max = 0;
    return stats;
  }
}
