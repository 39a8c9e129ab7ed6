import { describe, expect, it } from 'vitest';

import { benchmarkRoomMix } from '../../src/phone/room-mix-benchmark';

// The API only: the numbers come from a script (bench), not from a test on a shared CI box.
describe('benchmarkRoomMix', () => {
  it('runs a room of PCMU callers and Opus producers offline and reports per-frame timings', () => {
    const result = benchmarkRoomMix({ callers: 6, producers: 2, frames: 30, warmupFrames: 10 });
    expect(result).toMatchObject({ callers: 6, producers: 2, frames: 30, packetsToCallersPerFrame: 6 });
    expect(result.frameMs.mean).toBeGreaterThan(0);
    expect(result.frameMs.p50).toBeLessThanOrEqual(result.frameMs.p99);
    expect(result.frameMs.p99).toBeLessThanOrEqual(result.frameMs.max);
    expect(result.mix).toMatchObject({ frames: 30, listeners: 6, streams: 8 });
    // Three speakers mixed: at most three Opus frames decoded per 20 ms, and at most four versions of the mix.
    expect(result.mix.decodesPerFrame).toBeLessThanOrEqual(3);
    expect(result.mix.decodesPerFrame).toBeGreaterThan(0);
    expect(result.distinctPayloadsPerFrame).toBeLessThanOrEqual(4);
  });

  it('runs the callers as a meeting talks, and their paths into the room as configured', () => {
    const quiet = benchmarkRoomMix({ callers: 20, producers: 2, frames: 100, warmupFrames: 10 });
    const everyFrame = benchmarkRoomMix({ callers: 20, producers: 2, frames: 100, warmupFrames: 10, intoRoom: { silenceSuppression: false } });
    expect(quiet.talkingPerFrame).toBeGreaterThanOrEqual(1);
    expect(quiet.talkingPerFrame).toBeLessThanOrEqual(3);
    expect(everyFrame.packetsIntoRoomPerFrame).toBe(20);
    // The talkers, and a packet per 400 ms from each of the others.
    expect(quiet.packetsIntoRoomPerFrame).toBeLessThan(quiet.talkingPerFrame + 20 / 20 + 1);
  });
});
