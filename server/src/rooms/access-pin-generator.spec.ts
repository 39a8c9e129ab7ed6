import { pinProblem } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { generateAccessPin } from './access-pin-generator';

describe('generateAccessPin', () => {
  it('always produces a 6-digit PIN that passes the customer PIN rules', () => {
    for (let i = 0; i < 2_000; i++) {
      const pin = generateAccessPin('46792069');
      expect(pin).toMatch(/^\d{6}$/);
      expect(pinProblem(pin, '46792069')).toBeNull();
    }
  });
});
