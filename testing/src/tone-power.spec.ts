import { describe, expect, it } from 'vitest';
import { goertzelPower } from './tone-power';

describe('goertzelPower', () => {
  it('finds the tone that is there and not one that is not', () => {
    const rate = 8000;
    const tone = Float32Array.from({ length: 800 }, (_, index) => Math.sin((2 * Math.PI * 1000 * index) / rate));
    const there = goertzelPower(tone, 1000, rate);
    expect(there).toBeCloseTo((800 / 2) ** 2, -3);
    expect(goertzelPower(tone, 1500, rate)).toBeLessThan(there / 1000);
  });
});
