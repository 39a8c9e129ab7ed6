import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHECK_TIMEOUT_MS, down, ReadinessRegistry, up } from './readiness-registry';

describe('ReadinessRegistry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is ready when every part is up', async () => {
    const registry = new ReadinessRegistry();
    registry.register('database', async () => up());
    registry.register('mail', async () => up());
    expect(await registry.check()).toEqual({ ready: true, parts: { database: 'up', mail: 'up' } });
  });

  it('names the part that is down and why', async () => {
    const registry = new ReadinessRegistry();
    registry.register('database', async () => up());
    registry.register('mail', async () => down('SMTP refused'));
    registry.register('media', async () => {
      throw new Error('worker gone');
    });
    expect(await registry.check()).toEqual({
      ready: false,
      parts: { database: 'up', mail: 'down: SMTP refused', media: 'down: worker gone' },
    });
  });

  it('reports a part that does not answer in time as down, without waiting for it', async () => {
    vi.useFakeTimers();
    const registry = new ReadinessRegistry();
    registry.register('database', () => new Promise(() => undefined));
    registry.register('media', async () => up());
    const checked = registry.check();
    await vi.advanceTimersByTimeAsync(CHECK_TIMEOUT_MS);
    expect(await checked).toEqual({ ready: false, parts: { database: `down: no answer within ${CHECK_TIMEOUT_MS} ms`, media: 'up' } });
  });

  it('refuses a second check under the same name', () => {
    const registry = new ReadinessRegistry();
    registry.register('mail', async () => up());
    expect(() => registry.register('mail', async () => up())).toThrow(/registered twice/);
  });
});
