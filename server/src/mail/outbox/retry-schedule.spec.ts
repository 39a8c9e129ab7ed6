import { describe, expect, it } from 'vitest';
import { nextAttemptAt, retryDelayMs } from './retry-schedule';

const policy = { retryMinMs: 5_000, retryMaxMs: 30 * 60_000, giveUpAfterMs: 48 * 3_600_000 };

describe('retryDelayMs', () => {
  it('starts at the minimum and doubles with every failure', () => {
    expect([1, 2, 3, 4, 5].map((failures) => retryDelayMs(failures, policy))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
  });

  it('stops growing at the maximum, however many failures', () => {
    expect(retryDelayMs(9, policy)).toBe(1_280_000);
    expect(retryDelayMs(10, policy)).toBe(30 * 60_000);
    expect(retryDelayMs(10_000, policy)).toBe(30 * 60_000);
  });
});

describe('nextAttemptAt', () => {
  const queuedAt = new Date('2026-01-01T00:00:00Z');

  it('schedules the next attempt after the backoff delay', () => {
    const now = new Date(queuedAt.getTime() + 60_000);
    expect(nextAttemptAt(queuedAt, 3, policy, now)).toEqual(new Date(now.getTime() + 20_000));
  });

  it('gives up once the next attempt would fall beyond the give-up time', () => {
    const late = new Date(queuedAt.getTime() + 48 * 3_600_000 - 60_000);
    expect(nextAttemptAt(queuedAt, 2, policy, late)).not.toBeNull();
    expect(nextAttemptAt(queuedAt, 40, policy, late)).toBeNull();
  });

  it('over 48 hours makes about 100 attempts, most of them 30 minutes apart', () => {
    let now = queuedAt;
    let failures = 0;
    for (;;) {
      failures += 1;
      const next = nextAttemptAt(queuedAt, failures, policy, now);
      if (!next) break;
      now = next;
    }
    expect(failures).toBeGreaterThan(90);
    expect(failures).toBeLessThan(110);
  });
});
