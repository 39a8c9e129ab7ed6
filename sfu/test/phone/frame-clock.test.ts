import { describe, expect, it } from 'vitest';

import { FrameClock, type FrameTick } from '../../src/phone/frame-clock';

/** A hand-driven clock: `advance` moves time and fires the timer when due. */
class FakeTime {
  now = 1000;
  #timer: { at: number; callback: () => void } | undefined;
  waits: number[] = [];

  readonly options = {
    now: () => this.now,
    setTimer: (callback: () => void, ms: number) => {
      this.waits.push(ms);
      this.#timer = { at: this.now + ms, callback };
      return this.#timer;
    },
    clearTimer: () => {
      this.#timer = undefined;
    },
  };

  /** Moves to `ms` after the start; the timer fires `lateMs` after it was due (a busy event loop). */
  runUntil(ms: number, lateMs = 0): void {
    for (;;) {
      const timer = this.#timer;
      if (!timer || timer.at + lateMs > 1000 + ms) break;
      this.now = timer.at + lateMs;
      this.#timer = undefined;
      timer.callback();
    }
    this.now = 1000 + ms;
  }

  get pending(): boolean {
    return this.#timer !== undefined;
  }
}

function started(time: FakeTime, options: { maxCatchUpFrames?: number } = {}, onTick?: (tick: FrameTick) => void) {
  const ticks: FrameTick[] = [];
  const clock = new FrameClock(
    (tick) => {
      ticks.push(tick);
      onTick?.(tick);
    },
    { ...time.options, ...options },
  );
  clock.start();
  return { clock, ticks };
}

describe('FrameClock', () => {
  it('ticks every 20 ms with consecutive frame indexes', () => {
    const time = new FakeTime();
    const { ticks } = started(time);
    time.runUntil(100);
    expect(ticks.map((tick) => tick.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks.every((tick) => tick.skipped === 0)).toBe(true);
  });

  it('does not drift when timers fire late: each wait aims at start + n * 20 ms', () => {
    const time = new FakeTime();
    const { ticks } = started(time);
    time.runUntil(1000, 3);
    // 3 ms late every time, yet 50 frames in a second, and the waits shrink to make up for it.
    expect(ticks.length).toBeGreaterThanOrEqual(50);
    expect(ticks.length).toBeLessThanOrEqual(51);
    expect(time.waits.slice(2).every((wait) => wait === 17)).toBe(true);
  });

  it('catches up a short delay with ticks in a row', () => {
    const time = new FakeTime();
    const { ticks } = started(time);
    time.runUntil(20);
    // The event loop is busy: the timer due at 40 ms fires at 75 ms.
    time.runUntil(75, 35);
    time.runUntil(80);
    expect(ticks.map((tick) => tick.index)).toEqual([0, 1, 2, 3, 4]);
    expect(ticks[2]!.nowMs).toBe(1075);
    expect(ticks[3]!.nowMs).toBe(1075);
    expect(ticks.every((tick) => tick.skipped === 0)).toBe(true);
  });

  it('skips frames after a long stall and says how many', () => {
    const time = new FakeTime();
    const { ticks } = started(time, { maxCatchUpFrames: 5 });
    time.runUntil(20);
    // Held up for 300 ms: 15 frames.
    time.runUntil(340, 300);
    const afterStall = ticks.find((tick) => tick.skipped > 0)!;
    expect(afterStall.index).toBe(17);
    expect(afterStall.skipped).toBe(15);
    expect(ticks.map((tick) => tick.index)).toEqual([0, 1, 17]);
  });

  it('keeps ticking when a tick throws, and stops when told', () => {
    const time = new FakeTime();
    const { clock, ticks } = started(time, {}, (tick) => {
      if (tick.index === 1) throw new Error('bug');
    });
    time.runUntil(60);
    expect(ticks).toHaveLength(4);
    clock.stop();
    expect(time.pending).toBe(false);
    time.runUntil(200);
    expect(ticks).toHaveLength(4);
    expect(clock.running).toBe(false);
  });

  it('runs on real timers', async () => {
    const ticks: number[] = [];
    const clock = new FrameClock((tick) => ticks.push(tick.index));
    clock.start();
    await new Promise((resolve) => setTimeout(resolve, 210));
    clock.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(8);
    expect(ticks.length).toBeLessThanOrEqual(13);
    expect(ticks.every((index, i) => i === 0 || index > ticks[i - 1]!)).toBe(true);
  });
});
