/** Quietest level the meter shows, in dBFS; everything below reads as 0. */
const FLOOR_DB = -60;

/**
 * Loudness of one block of time-domain samples (-1…1) on a 0…1 scale that follows hearing:
 * the RMS in dBFS, mapped linearly from -60 dB (0) to 0 dB (1).
 */
export function levelFromSamples(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let index = 0; index < samples.length; index++) sum += samples[index] * samples[index];
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

export interface SpeakingWhileMutedOptions {
  /** Level (0…1, see levelFromSamples) from which the microphone counts as spoken into. */
  threshold: number;
  /** How long speech must last before the hint shows, so a cough or a door does not trigger it. */
  onsetMs: number;
  /** How long the hint stays after the last loud moment. */
  releaseMs: number;
  /** Quiet moments shorter than this (between words) do not interrupt speech. */
  gapMs: number;
}

export const SPEAKING_WHILE_MUTED_DEFAULTS: SpeakingWhileMutedOptions = {
  threshold: 0.5, // about -30 dBFS: normal speech into a headset or laptop microphone
  onsetMs: 400,
  releaseMs: 1500,
  gapMs: 300,
};

/** Decides, from a stream of microphone levels, when to say "you are speaking, but muted". */
export class SpeakingWhileMutedDetector {
  readonly #options: SpeakingWhileMutedOptions;
  #loudSince: number | null = null;
  #lastLoud = -Infinity;
  #active = false;

  constructor(options: Partial<SpeakingWhileMutedOptions> = {}) {
    this.#options = { ...SPEAKING_WHILE_MUTED_DEFAULTS, ...options };
  }

  /** Feeds one measurement; returns whether the hint should show now. */
  update(level: number, muted: boolean, now: number): boolean {
    if (!muted) {
      this.#loudSince = null;
      this.#lastLoud = -Infinity;
      this.#active = false;
      return false;
    }
    const { threshold, onsetMs, releaseMs, gapMs } = this.#options;
    if (level >= threshold) {
      if (this.#loudSince === null || now - this.#lastLoud > gapMs) this.#loudSince = now;
      this.#lastLoud = now;
      if (now - this.#loudSince >= onsetMs) this.#active = true;
    } else if (now - this.#lastLoud > gapMs) {
      this.#loudSince = null;
      if (this.#active && now - this.#lastLoud >= releaseMs) this.#active = false;
    }
    return this.#active;
  }
}
