import { describe, expect, it } from 'vitest';

import { G711Concealment } from '../../src/phone/g711-concealment';
import { rms, sine, toInt16 } from './support/audio';

describe('G711Concealment (repeat and fade)', () => {
  it('repeats the last good frame, quieter each time, until silence', () => {
    const concealment = new G711Concealment({ frameSamples: 80 });
    const tone = toInt16(sine(400, 8000, 80, 0.5));
    expect(concealment.good(tone)).toBe(tone);
    const levels = Array.from({ length: 7 }, () => rms(concealment.lost()));
    expect(levels[0]).toBeGreaterThan(rms(tone) * 0.8);
    for (let i = 1; i < 5; i++) expect(levels[i]).toBeLessThan(levels[i - 1]!);
    expect(levels[5]).toBe(0);
    expect(levels[6]).toBe(0);
  });

  it('is silent before any good frame', () => {
    expect(rms(new G711Concealment({ frameSamples: 80 }).lost())).toBe(0);
  });

  it('fades the first good frame after a loss in from the concealment, without a jump', () => {
    const concealment = new G711Concealment({ frameSamples: 80, crossfadeSamples: 16 });
    const loud = toInt16(sine(400, 8000, 80, 0.5));
    concealment.good(loud);
    concealment.lost();
    const next = new Int16Array(80).fill(-8000);
    const out = concealment.good(next);
    // The seam starts near where the concealment would have gone on, and ends on the real frame.
    const wouldContinue = Math.round(loud[0]! * 0.8);
    expect(Math.abs(out[0]! - wouldContinue)).toBeLessThan(Math.abs(next[0]! - wouldContinue));
    expect([...out.subarray(16)]).toEqual([...next.subarray(16)]);
    // The caller's frame is left as it was.
    expect(next[0]).toBe(-8000);
  });
});
