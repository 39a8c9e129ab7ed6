/**
 * Sample-rate conversion by an integer factor (48 kHz <-> 8 kHz is 6,
 * 48 kHz <-> 16 kHz is 3) with a polyphase FIR: a Kaiser-windowed sinc
 * low-pass designed at the high rate, evaluated only where an output sample
 * is needed (decimation) or only over the taps that meet a real input sample
 * (interpolation). Streaming: each call takes one frame and keeps the filter
 * history for the next, so 20 ms in gives exactly 20 ms out.
 *
 * The filters keep the telephone band: 8 kHz passes up to 3.4 kHz and stops
 * from 4 kHz (the new Nyquist frequency), 16 kHz passes up to 7 kHz and stops
 * from 8 kHz; the stop band is at least 70 dB down.
 */

export interface ResamplerDesign {
  /** Edge of the pass band, Hz. */
  passHz: number;
  /** Start of the stop band, Hz: at most the lower rate's Nyquist frequency. */
  stopHz: number;
  /** Stop-band attenuation, dB. */
  attenuationDb: number;
}

/** The designs used for the rates the bridge converts between (high rate 48 kHz). */
export const TELEPHONE_BAND_DESIGNS: Readonly<Record<number, ResamplerDesign>> = {
  8000: { passHz: 3400, stopHz: 4000, attenuationDb: 70 },
  16000: { passHz: 7000, stopHz: 8000, attenuationDb: 70 },
};

/** A Kaiser-windowed sinc low-pass at `rate`, its length a multiple of `factor`; unity DC gain. */
export function designLowPass(rate: number, factor: number, design: ResamplerDesign): Float64Array {
  const { passHz, stopHz, attenuationDb: a } = design;
  if (!(passHz > 0 && stopHz > passHz && stopHz <= rate / 2)) throw new RangeError(`bad filter design ${JSON.stringify(design)}`);
  // Kaiser's formulas for the window parameter and the length.
  const beta = a > 50 ? 0.1102 * (a - 8.7) : a >= 21 ? 0.5842 * (a - 21) ** 0.4 + 0.07886 * (a - 21) : 0;
  const transition = (2 * Math.PI * (stopHz - passHz)) / rate;
  const minimumTaps = Math.ceil((a - 8) / (2.285 * transition)) + 1;
  const taps = Math.ceil(minimumTaps / factor) * factor;
  const cutoff = (passHz + stopHz) / 2 / rate; // cycles per sample
  const center = (taps - 1) / 2;
  const i0Beta = besselI0(beta);
  const h = new Float64Array(taps);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const t = n - center;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = t / center;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = sinc * window;
    sum += h[n]!;
  }
  for (let n = 0; n < taps; n++) h[n]! /= sum;
  return h;
}

/** The zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const halfX = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (halfX / k) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function checkedFactor(highRate: number, lowRate: number): number {
  const factor = highRate / lowRate;
  if (!Number.isInteger(factor) || factor < 2) throw new RangeError(`${highRate} Hz is not an integer multiple of ${lowRate} Hz`);
  return factor;
}

function designFor(lowRate: number, design: ResamplerDesign | undefined): ResamplerDesign {
  const chosen = design ?? TELEPHONE_BAND_DESIGNS[lowRate];
  if (!chosen) throw new RangeError(`no filter design for ${lowRate} Hz; pass one`);
  return chosen;
}

/** High rate to low rate, e.g. 48 kHz -> 8 kHz: 960 samples in, 160 out. */
export class Downsampler {
  readonly factor: number;
  /** Filter delay, in samples of the high rate. */
  readonly delaySamples: number;
  readonly #taps: Float32Array;
  // The last (taps - 1) input samples, then room for one frame.
  #history: Float32Array;

  constructor(highRate: number, lowRate: number, design?: ResamplerDesign) {
    this.factor = checkedFactor(highRate, lowRate);
    const h = designLowPass(highRate, this.factor, designFor(lowRate, design));
    // Reversed, so the inner loop runs forwards over the history.
    this.#taps = Float32Array.from(h).reverse();
    this.delaySamples = (h.length - 1) / 2;
    this.#history = new Float32Array(h.length - 1);
  }

  /** `input.length` must be a multiple of the factor; writes input.length / factor samples to `output` (or a new array). */
  process(input: Float32Array, output?: Float32Array): Float32Array {
    const { factor } = this;
    if (input.length % factor !== 0) throw new RangeError(`input of ${input.length} samples is not a multiple of ${factor}`);
    const outLength = input.length / factor;
    const out = output ?? new Float32Array(outLength);
    if (out.length < outLength) throw new RangeError(`output has room for ${out.length} samples, needs ${outLength}`);
    const taps = this.#taps;
    const tapCount = taps.length;
    const keep = tapCount - 1;
    const buffer = withHistory(this.#history, keep, input);
    for (let m = 0; m < outLength; m++) {
      // Output m lines up with input sample (m + 1) * factor - 1: the window ends there.
      const start = (m + 1) * factor - 1 + keep - (tapCount - 1);
      let acc = 0;
      for (let k = 0; k < tapCount; k++) acc += taps[k]! * buffer[start + k]!;
      out[m] = acc;
    }
    buffer.copyWithin(0, input.length, input.length + keep);
    this.#history = buffer;
    return out;
  }
}

/**
 * The filter's memory (`keep` samples from earlier frames) followed by this frame's input; the
 * buffer is reused between frames and only reallocated when the frame length changes.
 */
function withHistory(history: Float32Array, keep: number, input: Float32Array): Float32Array {
  let buffer = history;
  if (buffer.length !== keep + input.length) {
    buffer = new Float32Array(keep + input.length);
    buffer.set(history.subarray(0, keep));
  }
  buffer.set(input, keep);
  return buffer;
}

/** Low rate to high rate, e.g. 8 kHz -> 48 kHz: 160 samples in, 960 out. */
export class Upsampler {
  readonly factor: number;
  /** Filter delay, in samples of the high rate. */
  readonly delaySamples: number;
  // phases[p][k] = factor * h[k * factor + p]: the taps that meet real input samples for output phase p.
  readonly #phases: Float32Array[];
  readonly #phaseLength: number;
  #history: Float32Array;

  constructor(lowRate: number, highRate: number, design?: ResamplerDesign) {
    this.factor = checkedFactor(highRate, lowRate);
    const h = designLowPass(highRate, this.factor, designFor(lowRate, design));
    this.delaySamples = (h.length - 1) / 2;
    this.#phaseLength = h.length / this.factor;
    this.#phases = [];
    for (let p = 0; p < this.factor; p++) {
      const phase = new Float32Array(this.#phaseLength);
      for (let k = 0; k < this.#phaseLength; k++) phase[k] = this.factor * h[k * this.factor + p]!;
      this.#phases.push(phase);
    }
    this.#history = new Float32Array(this.#phaseLength - 1);
  }

  /** Writes input.length * factor samples to `output` (or a new array). */
  process(input: Float32Array, output?: Float32Array): Float32Array {
    const { factor } = this;
    const outLength = input.length * factor;
    const out = output ?? new Float32Array(outLength);
    if (out.length < outLength) throw new RangeError(`output has room for ${out.length} samples, needs ${outLength}`);
    const keep = this.#phaseLength - 1;
    const buffer = withHistory(this.#history, keep, input);
    const phaseLength = this.#phaseLength;
    for (let n = 0; n < input.length; n++) {
      // buffer[keep + n] is input sample n; y[n * factor + p] = sum_k phase_p[k] * x[n - k].
      const newest = keep + n;
      for (let p = 0; p < factor; p++) {
        const phase = this.#phases[p]!;
        let acc = 0;
        for (let k = 0; k < phaseLength; k++) acc += phase[k]! * buffer[newest - k]!;
        out[n * factor + p] = acc;
      }
    }
    buffer.copyWithin(0, input.length, input.length + keep);
    this.#history = buffer;
    return out;
  }
}
