import { describe, expect, it } from 'vitest';

import { audioLevelOfFloat, audioLevelOfInt16 } from '../../src/phone/audio-level';
import { sine, toInt16 } from './support/audio';

describe('RFC 6464 audio level', () => {
  it('is -dBov of the mean square, as WebRTC computes it', () => {
    expect(audioLevelOfFloat(sine(1000, 48000, 960, 1))).toBe(3);
    expect(audioLevelOfFloat(sine(1000, 48000, 960, 0.5))).toBe(9);
    expect(audioLevelOfInt16(toInt16(sine(1000, 8000, 160, 0.1)))).toBe(23);
  });

  it('is 127 for silence and for nothing, and never outside 0-127', () => {
    expect(audioLevelOfInt16(new Int16Array(160))).toBe(127);
    expect(audioLevelOfInt16(new Int16Array(0))).toBe(127);
    // One least significant bit in four samples: about as quiet as 16 bits get.
    expect(audioLevelOfInt16(Int16Array.of(1, 0, 0, 0))).toBe(96);
    expect(audioLevelOfFloat(new Float32Array(10).fill(4))).toBe(0);
  });
});
