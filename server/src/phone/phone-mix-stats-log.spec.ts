import type { Logger } from '@nestjs/common';
import type { RoomAudioMix } from '@konferenz/sfu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchPhoneMix } from './phone-mix-stats-log';

function fakeMix() {
  const takeStats = vi.fn(async () => ({
    frames: 500,
    p50Ms: 0.12345,
    p99Ms: 1.00049,
    maxMs: 4.5,
    listeners: 2,
    streams: 5,
    decodesPerFrame: 2.9876,
    threadId: 3,
  }));
  return { mix: { takeStats } as unknown as RoomAudioMix, takeStats };
}

describe('phone mix stats log', () => {
  afterEach(() => vi.useRealTimers());

  it('logs one line per room every 10 s at debug level, in the format the benchmark parses, until the last caller leaves', async () => {
    vi.useFakeTimers();
    const debug = vi.fn();
    const logger = { debug } as unknown as Logger;
    const { mix, takeStats } = fakeMix();
    const leaveA = watchPhoneMix(mix, '123456', logger);
    const leaveB = watchPhoneMix(mix, '123456', logger);
    // The first window starts with the first caller.
    expect(takeStats).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(debug).toHaveBeenCalledTimes(1);
    expect(debug).toHaveBeenLastCalledWith(
      'phone-mix-stats {"room":"123456","callers":2,"streams":5,"frames":500,"p50Ms":0.123,"p99Ms":1,"maxMs":4.5,"decodesPerFrame":2.988,"thread":3}',
    );
    leaveA();
    leaveA();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(debug).toHaveBeenCalledTimes(2);
    leaveB();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(debug).toHaveBeenCalledTimes(2);
  });
});
