/** The 16 keys in RFC 4733 event codes: 0–9, 10 = *, 11 = #, 12–15 = A–D, by [row][column]. */
const KEY_GRID: readonly (readonly number[])[] = [
  [1, 2, 3, 12],
  [4, 5, 6, 13],
  [7, 8, 9, 14],
  [10, 0, 11, 15],
];
const ROW_HZ = [697, 770, 852, 941] as const;
const COLUMN_HZ = [1209, 1336, 1477, 1633] as const;
const ALL_HZ = [...ROW_HZ, ...COLUMN_HZ];

/** The detector's input rate. A G.722 caller's lower sub-band is 8 kHz as well and could feed it directly. */
export const INBAND_SAMPLE_RATE = 8000;
/** One analysis window: 12.75 ms, narrow enough to tell the row tones (73–89 Hz apart) apart with a Hann window. */
const WINDOW = 102;
/** Windows overlap: one every 4.25 ms, so a tone's length is measured to a few ms. */
const HOP = 34;
/**
 * Consecutive tone windows for a key: 6 windows span 272 samples (34 ms).
 * A ≤ 25 ms tone cannot fill them even counting the Hann window's soft edges;
 * a ≥ 40 ms tone fills at least 7 windows completely.
 */
const WINDOWS_FOR_KEY = 6;
/** Tone-less windows that end a tone: 4 (≈ 17 ms) bridge a short drop-out, a 40 ms pause gives ≥ 7. */
const WINDOWS_FOR_PAUSE = 4;
/** Power of a 0 dBm0 sine in 16-bit linear G.711 samples (3.17 dBm0 is full scale, G.711 Table 5/6). */
const ZERO_DBM0_POWER = (32636 * 10 ** (-3.17 / 20)) ** 2 / 2;
/** Each tone at least −36 dBm0: Q.24 asks for −31 dBm0 or louder to be heard, a few dB to spare. */
const MIN_TONE_POWER = ZERO_DBM0_POWER * 10 ** (-36 / 10);
/** Twist limits with half a dB for the estimate: column louder by 8 dB (normal), row louder by 4 dB (reverse). */
const MAX_NORMAL_TWIST_DB = 8.5;
const MAX_REVERSE_TWIST_DB = 4.5;
/**
 * The two tones must carry this share of the window's power. Speech and music
 * spread theirs over harmonics and formants; a key in noise at 15 dB SNR keeps ≈ 0.9.
 */
const MIN_TONE_SHARE = 0.8;
/**
 * The strongest tone of each group must beat the group's others by this much.
 * Small because the Hann window lets a row tone show at −3 to −6 dB in its
 * neighbour's bin (73–89 Hz apart, the bins are 78 Hz wide); the tone share and
 * the frequency check do the work against speech.
 */
const MIN_GROUP_MARGIN_DB = 2;
/** Measured frequency within ±2.5 % of nominal: Q.24 accepts ±1.5 %, rejects ±3.5 %. */
const MAX_FREQUENCY_DEVIATION = 0.025;

interface WindowTone {
  key: number;
  row: number;
  column: number;
  /** Phase of the row and column tone at the window's start (absolute time reference). */
  rowPhase: number;
  columnPhase: number;
}

/** A candidate tone: the same key in consecutive windows, its phase advance accumulated to estimate its frequencies. */
interface ToneRun {
  key: number;
  row: number;
  column: number;
  windows: number;
  lastRowPhase: number;
  lastColumnPhase: number;
  rowAdvance: number;
  columnAdvance: number;
  /** The key was reported (once per tone), or the run was judged not a key. */
  decided: boolean;
}

const HANN = Float64Array.from({ length: WINDOW }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / WINDOW));
const HANN_SUM = HANN.reduce((a, b) => a + b, 0);
const HANN_SQUARE_SUM = HANN.reduce((a, b) => a + b * b, 0);
/** cos/sin of each frequency over one window, from the window's first sample. */
const COS = ALL_HZ.map((hz) => Float64Array.from({ length: WINDOW }, (_, n) => Math.cos((2 * Math.PI * hz * n) / INBAND_SAMPLE_RATE)));
const SIN = ALL_HZ.map((hz) => Float64Array.from({ length: WINDOW }, (_, n) => Math.sin((2 * Math.PI * hz * n) / INBAND_SAMPLE_RATE)));

function wrapPhase(phase: number): number {
  return phase - 2 * Math.PI * Math.round(phase / (2 * Math.PI));
}

function decibels(ratio: number): number {
  return 10 * Math.log10(ratio);
}

/**
 * DTMF keys in 8 kHz linear audio (ITU-T Q.23/Q.24): a Hann-windowed DFT at
 * the 8 key frequencies every 4.25 ms. A window holds a key when one row and
 * one column tone stand out of their groups, carry nearly all the power, are
 * loud enough and within the twist limits. A run of such windows becomes one
 * key once it is long enough (≥ 40 ms always, ≤ 25 ms never) and its tones'
 * frequencies, measured from their phase advance over the run, are within
 * ±2.5 % (the sharp test that speech and music rarely pass). One key per tone:
 * the next needs a pause or another key.
 */
export class InbandDtmfDetector {
  readonly #onKey: (key: number) => void;
  readonly #buffer = new Float64Array(WINDOW);
  /** Samples in #buffer; the window is analysed when it is full, then shifted by HOP. */
  #filled = 0;
  /** Absolute index of #buffer[0], modulo the sample rate (all key frequencies are whole Hz, so phases repeat each second). */
  #windowStart = 0;
  #run: ToneRun | undefined;
  #quietWindows = 0;

  constructor(onKey: (key: number) => void) {
    this.#onKey = onKey;
  }

  /** Linear 16-bit samples at 8 kHz, in order; any chunk size. */
  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length;) {
      const take = Math.min(WINDOW - this.#filled, samples.length - i);
      for (let k = 0; k < take; k++) this.#buffer[this.#filled + k] = samples[i + k]!;
      this.#filled += take;
      i += take;
      if (this.#filled === WINDOW) {
        this.#window(this.#analyse());
        this.#buffer.copyWithin(0, HOP);
        this.#filled = WINDOW - HOP;
        this.#windowStart = (this.#windowStart + HOP) % INBAND_SAMPLE_RATE;
      }
    }
  }

  #analyse(): WindowTone | undefined {
    const buffer = this.#buffer;
    let weightedPower = 0;
    for (let n = 0; n < WINDOW; n++) {
      const y = buffer[n]! * HANN[n]!;
      weightedPower += y * y;
    }
    const meanPower = weightedPower / HANN_SQUARE_SUM;
    if (meanPower < 2 * MIN_TONE_POWER) return undefined;
    const re = new Float64Array(8);
    const im = new Float64Array(8);
    const power = new Float64Array(8);
    for (let f = 0; f < 8; f++) {
      const cos = COS[f]!;
      const sin = SIN[f]!;
      let sumRe = 0;
      let sumIm = 0;
      for (let n = 0; n < WINDOW; n++) {
        const y = buffer[n]! * HANN[n]!;
        sumRe += y * cos[n]!;
        sumIm -= y * sin[n]!;
      }
      re[f] = sumRe;
      im[f] = sumIm;
      // A sine of amplitude A gives |X| = A·ΣHann/2: its power A²/2 is 2|X|²/ΣHann².
      power[f] = (2 * (sumRe * sumRe + sumIm * sumIm)) / (HANN_SUM * HANN_SUM);
    }
    const row = strongest(power, 0);
    const column = strongest(power, 4);
    const rowPower = power[row]!;
    const columnPower = power[4 + column]!;
    if (rowPower < MIN_TONE_POWER || columnPower < MIN_TONE_POWER) return undefined;
    if ((rowPower + columnPower) / meanPower < MIN_TONE_SHARE) return undefined;
    const twist = decibels(columnPower / rowPower);
    if (twist > MAX_NORMAL_TWIST_DB || -twist > MAX_REVERSE_TWIST_DB) return undefined;
    if (!standsOut(power, 0, row) || !standsOut(power, 4, column)) return undefined;
    return {
      key: KEY_GRID[row]![column]!,
      row,
      column,
      rowPhase: this.#absolutePhase(re, im, row),
      columnPhase: this.#absolutePhase(re, im, 4 + column),
    };
  }

  /** The tone's phase referred to sample 0 of the stream, so consecutive windows' phases differ only by the tone's frequency error. */
  #absolutePhase(re: Float64Array, im: Float64Array, f: number): number {
    return wrapPhase(Math.atan2(im[f]!, re[f]!) - (2 * Math.PI * ALL_HZ[f]! * this.#windowStart) / INBAND_SAMPLE_RATE);
  }

  #window(tone: WindowTone | undefined): void {
    const run = this.#run;
    if (!tone) {
      if (run && ++this.#quietWindows >= WINDOWS_FOR_PAUSE) this.#run = undefined;
      return;
    }
    this.#quietWindows = 0;
    if (!run || run.key !== tone.key) {
      // A different key without a pause is a new tone (a phone may switch keys directly).
      this.#run = { ...tone, windows: 1, lastRowPhase: tone.rowPhase, lastColumnPhase: tone.columnPhase, rowAdvance: 0, columnAdvance: 0, decided: false };
      return;
    }
    run.windows++;
    run.rowAdvance += wrapPhase(tone.rowPhase - run.lastRowPhase);
    run.columnAdvance += wrapPhase(tone.columnPhase - run.lastColumnPhase);
    run.lastRowPhase = tone.rowPhase;
    run.lastColumnPhase = tone.columnPhase;
    if (run.decided || run.windows < WINDOWS_FOR_KEY) return;
    run.decided = true;
    const span = (run.windows - 1) * HOP;
    if (withinTolerance(run.rowAdvance, span, ROW_HZ[run.row]!) && withinTolerance(run.columnAdvance, span, COLUMN_HZ[run.column]!)) {
      this.#onKey(run.key);
    }
  }
}

/** Index (0–3) of the strongest of the four frequencies from `first`. */
function strongest(power: Float64Array, first: number): number {
  let best = 0;
  for (let i = 1; i < 4; i++) if (power[first + i]! > power[first + best]!) best = i;
  return best;
}

function standsOut(power: Float64Array, first: number, best: number): boolean {
  for (let i = 0; i < 4; i++) {
    if (i !== best && decibels(power[first + best]! / Math.max(power[first + i]!, 1e-9)) < MIN_GROUP_MARGIN_DB) return false;
  }
  return true;
}

/** The frequency error from the phase advance over `span` samples, relative to the nominal frequency. */
function withinTolerance(phaseAdvance: number, span: number, nominalHz: number): boolean {
  const errorHz = (phaseAdvance * INBAND_SAMPLE_RATE) / (2 * Math.PI * span);
  return Math.abs(errorHz) <= MAX_FREQUENCY_DEVIATION * nominalHz;
}
