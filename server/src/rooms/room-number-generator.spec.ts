import { describe, expect, it } from 'vitest';
import { generateRoomNumber } from './room-number-generator';

describe('generateRoomNumber', () => {
  it('draws from the whole range of 8-digit numbers without a leading zero', () => {
    expect(generateRoomNumber(() => 10_000_000)).toBe('10000000');
    expect(generateRoomNumber((_min, max) => max - 1)).toBe('99999999');
  });

  it('is uniform: every digit position passes a chi-square test over 20,000 draws', () => {
    const draws = Array.from({ length: 20_000 }, () => generateRoomNumber());
    expect(draws.every((number) => /^[1-9]\d{7}$/.test(number))).toBe(true);
    // 99.9th percentile of chi-square: 27.88 for 9 degrees of freedom, 26.12 for 8.
    for (let position = 0; position < 8; position++) {
      const digits = position === 0 ? 9 : 10;
      const counts = new Array(10).fill(0);
      for (const number of draws) counts[Number(number[position])]++;
      const expected = draws.length / digits;
      const chiSquare = counts.slice(position === 0 ? 1 : 0).reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
      expect(chiSquare, `position ${position}`).toBeLessThan(position === 0 ? 26.12 : 27.88);
    }
  });

  it('does not repeat within a large sample, so numbers are not sequential or clustered', () => {
    const draws = Array.from({ length: 10_000 }, () => Number(generateRoomNumber())).sort((a, b) => a - b);
    const gaps = draws.slice(1).map((value, i) => value - draws[i]!);
    expect(gaps.filter((gap) => gap === 1).length).toBeLessThan(5);
  });
});
