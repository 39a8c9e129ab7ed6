import { describe, expect, it } from 'vitest';

import { FrameTimings } from '../../src/phone/frame-timings';

describe('FrameTimings', () => {
  it('summarizes the window since the last take, then starts a new one', () => {
    const timings = new FrameTimings();
    for (let i = 1; i <= 100; i++) timings.record(i / 10);
    expect(timings.take()).toEqual({ frames: 100, p50Ms: 5.1, p99Ms: 10, maxMs: 10 });
    timings.record(0.5);
    expect(timings.take()).toEqual({ frames: 1, p50Ms: 0.5, p99Ms: 0.5, maxMs: 0.5 });
    expect(timings.take()).toEqual({ frames: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });

  it('keeps its memory bounded when nobody takes: percentiles over the latest frames, count and maximum over all', () => {
    const timings = new FrameTimings();
    timings.record(50);
    for (let i = 0; i < 10_000; i++) timings.record(1);
    expect(timings.take()).toEqual({ frames: 10_001, p50Ms: 1, p99Ms: 1, maxMs: 50 });
  });
});
