import { describe, expect, it } from 'vitest';

import { benchmarkConferenceMixer } from '../../src/phone';

// The API only: the numbers come from a script (bench), not from a test on a shared CI box.
describe('benchmarkConferenceMixer', () => {
  it('runs the outbound path over N inputs offline and reports per-frame timings', () => {
    const result = benchmarkConferenceMixer({ inputs: 8, frames: 20, warmupFrames: 5, talkers: 6 });
    expect(result).toMatchObject({ inputs: 8, frames: 20 });
    for (const timing of [result.ingestMs, result.mixMs, result.frameMs]) {
      expect(timing.mean).toBeGreaterThan(0);
      expect(timing.p50).toBeLessThanOrEqual(timing.p99);
      expect(timing.p99).toBeLessThanOrEqual(timing.max);
    }
    // Three speakers mixed, so three Opus frames decoded per 20 ms however many talk.
    expect(result.decodesPerFrame).toBe(3);
  });
});
