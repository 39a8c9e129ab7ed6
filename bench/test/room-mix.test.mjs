import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchmarkRoomMix } from '../lib/room-mix.mjs';

// The benchmark's workings only: the numbers come from `npm run bench:phone`, not from a test on a shared CI box.
describe('benchmarkRoomMix', () => {
  it('runs a room of PCMU callers and Opus producers offline and reports per-frame timings', () => {
    const result = benchmarkRoomMix({ callers: 6, producers: 2, frames: 30, warmupFrames: 10 });
    assert.equal(result.callers, 6);
    assert.equal(result.producers, 2);
    assert.equal(result.frames, 30);
    assert.equal(result.packetsToCallersPerFrame, 6);
    assert.ok(result.frameMs.mean > 0);
    assert.ok(result.frameMs.p50 <= result.frameMs.p99);
    assert.ok(result.frameMs.p99 <= result.frameMs.max);
    assert.equal(result.mix.frames, 30);
    assert.equal(result.mix.listeners, 6);
    assert.equal(result.mix.streams, 8);
    // Three speakers mixed: at most three Opus frames decoded per 20 ms, and at most four versions of the mix.
    assert.ok(result.mix.decodesPerFrame > 0 && result.mix.decodesPerFrame <= 3);
    assert.ok(result.distinctPayloadsPerFrame <= 4);
  });

  it('runs the callers as a meeting talks, and their paths into the room as configured', () => {
    const quiet = benchmarkRoomMix({ callers: 20, producers: 2, frames: 100, warmupFrames: 10 });
    const everyFrame = benchmarkRoomMix({ callers: 20, producers: 2, frames: 100, warmupFrames: 10, intoRoom: { silenceSuppression: false } });
    assert.ok(quiet.talkingPerFrame >= 1 && quiet.talkingPerFrame <= 3);
    assert.equal(everyFrame.packetsIntoRoomPerFrame, 20);
    // The talkers, and a packet per 400 ms from each of the others.
    assert.ok(quiet.packetsIntoRoomPerFrame < quiet.talkingPerFrame + 20 / 20 + 1);
  });
});
