/** RFC 6464 level of digital silence (-127 dBov or quieter). */
export const SILENT_LEVEL = 127;

/**
 * The RFC 6464 level (0 = 0 dBov, 127 = -127 dBov) of 16-bit samples, as
 * WebRTC computes it for the ssrc-audio-level extension: the mean square
 * relative to full scale, in -dB, rounded and clamped to 0-127. A full-scale
 * sine is 3.
 */
export function audioLevelOfInt16(samples: ArrayLike<number>): number {
  if (samples.length === 0) return SILENT_LEVEL;
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i++) sumSquares += samples[i]! * samples[i]!;
  return levelFromMeanSquare(sumSquares / samples.length / (32768 * 32768));
}

/** The same for float samples in [-1, 1]. */
export function audioLevelOfFloat(samples: ArrayLike<number>): number {
  if (samples.length === 0) return SILENT_LEVEL;
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i++) sumSquares += samples[i]! * samples[i]!;
  return levelFromMeanSquare(sumSquares / samples.length);
}

function levelFromMeanSquare(meanSquare: number): number {
  if (!(meanSquare > 0)) return SILENT_LEVEL;
  const level = Math.round(-10 * Math.log10(meanSquare));
  return Math.min(SILENT_LEVEL, Math.max(0, level));
}
