import { describe, expect, it } from 'vitest';
import { evenPortCount } from './udp';

describe('evenPortCount', () => {
  it('counts the even ports of a range, whichever its ends are', () => {
    expect(evenPortCount({ min: 40200, max: 40399 })).toBe(100);
    expect(evenPortCount({ min: 40201, max: 40399 })).toBe(99);
    expect(evenPortCount({ min: 40200, max: 40200 })).toBe(1);
    expect(evenPortCount({ min: 40201, max: 40201 })).toBe(0);
    expect(evenPortCount({ min: 40201, max: 40202 })).toBe(1);
  });
});
