import { Logger } from '@nestjs/common';
import type { Connection } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { SessionSweep } from './session-sweep';

const SWEEP_MS = 1_000;
const config = { session: { sweepMs: SWEEP_MS } } as AppConfig;

/** Just enough of a mongoose connection: what the sweep asks for, and a delete that does what the test says. */
function fakeConnection(deleteMany: (...args: unknown[]) => Promise<unknown>) {
  const collection = vi.fn(() => ({ deleteMany }));
  return { connection: { collection } as unknown as Connection, collection };
}

describe('SessionSweep', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('deletes the expired sessions every interval, acknowledged: no write concern of its own', async () => {
    const deleteMany = vi.fn(async (..._args: unknown[]) => ({ deletedCount: 0 }));
    const { connection, collection } = fakeConnection(deleteMany);
    const sweep = new SessionSweep(config, connection);
    sweep.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(3 * SWEEP_MS);
    expect(collection).toHaveBeenCalledWith('sessions');
    expect(deleteMany).toHaveBeenCalledTimes(3);
    expect(deleteMany.mock.calls.every((call) => call.length === 1)).toBe(true);
    expect(deleteMany).toHaveBeenLastCalledWith({ expires: { $lt: new Date(Date.now()) } });
    await sweep.onModuleDestroy();
    await vi.advanceTimersByTimeAsync(3 * SWEEP_MS);
    expect(deleteMany).toHaveBeenCalledTimes(3);
  });

  it('survives a failing database: warns once, tries again every interval, and says when it works again', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    let down = true;
    const deleteMany = vi.fn(() => (down ? Promise.reject(new Error('connection refused')) : Promise.resolve({ deletedCount: 1 })));
    const sweep = new SessionSweep(config, fakeConnection(deleteMany).connection);
    sweep.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(3 * SWEEP_MS);
    expect(deleteMany).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('connection refused');
    down = false;
    await vi.advanceTimersByTimeAsync(2 * SWEEP_MS);
    expect(log).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    await sweep.onModuleDestroy();
  });

  it('runs one sweep at a time, and a stop waits for the one under way before the connection closes', async () => {
    let finish: () => void = () => undefined;
    const deleteMany = vi.fn(() => new Promise((resolve) => (finish = () => resolve({ deletedCount: 0 }))));
    const sweep = new SessionSweep(config, fakeConnection(deleteMany).connection);
    sweep.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(3 * SWEEP_MS);
    expect(deleteMany).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stop = sweep.onModuleDestroy().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stop;
    expect(stopped).toBe(true);
  });
});
