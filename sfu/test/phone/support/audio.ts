/** Signals and measurements for the phone tests. */

/** `count` samples of a sine at `frequency` Hz, amplitude `amplitude` (of full scale 1), starting at sample `offset`. */
export function sine(frequency: number, sampleRate: number, count: number, amplitude = 0.5, offset = 0): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * (i + offset)) / sampleRate);
  return out;
}

export function toInt16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32767))));
}

export function toFloat(samples: Int16Array): Float32Array {
  return Float32Array.from(samples, (s) => s / 32768);
}

export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Amplitude of the `frequency` component (Goertzel), on the samples' own scale: a sine of amplitude A gives ~A. */
export function toneAmplitude(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  const n = samples.length;
  const w = (2 * Math.PI * frequency) / sampleRate;
  const coefficient = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** The strongest frequency between `from` and `to` Hz, in `step` Hz steps. */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, from = 100, to = sampleRate / 2 - 100, step = 10): number {
  let best = from;
  let bestAmplitude = -1;
  for (let f = from; f <= to; f += step) {
    const amplitude = toneAmplitude(samples, f, sampleRate);
    if (amplitude > bestAmplitude) {
      bestAmplitude = amplitude;
      best = f;
    }
  }
  return best;
}

export function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}
