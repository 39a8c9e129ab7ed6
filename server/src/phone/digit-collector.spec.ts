import { describe, expect, it } from 'vitest';
import { DigitCollector } from './digit-collector';

describe('DigitCollector', () => {
  const options = { maxDigits: 8, interDigitTimeoutMs: 5000, overallTimeoutMs: 20000 };

  it("ends on '#'", () => {
    const collector = new DigitCollector(options, 0);
    expect(['1', '2', '3'].map((key, i) => collector.push(key as '1', i * 100))).toEqual([null, null, null]);
    expect(collector.push('#', 400)).toEqual({ kind: 'complete', digits: '123', by: 'terminator' });
    expect(collector.push('4', 500)).toBeNull();
  });

  it('ends as too long one key past the maximum, not at it', () => {
    const collector = new DigitCollector({ ...options, maxDigits: 2 }, 0);
    expect(collector.push('1', 1)).toBeNull();
    expect(collector.push('2', 2)).toBeNull();
    expect(collector.push('3', 3)).toEqual({ kind: 'complete', digits: '123', by: 'max-digits' });
  });

  it('times out between keys and overall, and says when to look next', () => {
    const collector = new DigitCollector(options, 0);
    expect(collector.deadline()).toBe(20000);
    collector.push('1', 1000);
    expect(collector.deadline()).toBe(6000);
    expect(collector.expire(5999)).toBeNull();
    expect(collector.expire(6000)).toEqual({ kind: 'timeout', digits: '1', which: 'inter-digit' });

    const slow = new DigitCollector(options, 0);
    for (let at = 0; at < 20000; at += 4000) expect(slow.push('9', at)).toBeNull();
    expect(slow.push('9', 20000)).toEqual({ kind: 'timeout', digits: '99999', which: 'overall' });
  });
});
