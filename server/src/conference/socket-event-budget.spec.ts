import { describe, expect, it } from 'vitest';
import { SocketEventBudget } from './socket-event-budget';

const limits = { perSecond: 10, burst: 5, abuseRefusals: 3, abuseWindowMs: 10_000 };

describe('SocketEventBudget', () => {
  it('allows a burst, then refills at the configured rate', () => {
    const budget = new SocketEventBudget(limits, 0);
    for (let i = 0; i < 5; i++) expect(budget.take(0)).toBe('ok');
    expect(budget.take(0)).toBe('refused');
    expect(budget.take(100)).toBe('ok');
    expect(budget.take(100)).toBe('refused');
    expect([...Array(5)].map(() => budget.take(10_000))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('calls a socket abusive once it is refused too often within the window', () => {
    const budget = new SocketEventBudget(limits, 0);
    for (let i = 0; i < 5; i++) budget.take(0);
    expect([budget.take(0), budget.take(0), budget.take(0)]).toEqual(['refused', 'refused', 'abusive']);
  });

  it('forgets old refusals: an occasional busy moment is never abusive', () => {
    const budget = new SocketEventBudget(limits, 0);
    for (let round = 0; round < 5; round++) {
      const at = round * 20_000;
      for (let i = 0; i < 5; i++) budget.take(at);
      expect([budget.take(at), budget.take(at)]).toEqual(['refused', 'refused']);
    }
  });
});
