import { SILENT_LEVEL } from './audio-level';

/**
 * One input of the mixer (a participant's audio), asked once per frame for
 * its level, and for its samples only when it was chosen, so that inputs
 * nobody hears cost no decoding.
 */
export interface MixerInput {
  /**
   * Moves on to the next frame (called every frame, whether chosen or not).
   * Returns the frame's RFC 6464 level (0 loudest, 127 silence), or
   * undefined when the input has nothing to play this frame.
   */
  next(nowMs: number): number | undefined;
  /** Writes this frame's samples (floats in [-1, 1]) to `out`; only called after `next` returned a level. */
  render(out: Float32Array): void;
}

export interface ConferenceMixerOptions {
  /** Samples per frame: 960 for 20 ms at 48 kHz. */
  frameSamples: number;
  /** How many speakers are mixed at once (K). Default 3. */
  maxSpeakers?: number;
  /** How much louder (dB) a newcomer must be to push out someone already mixed. Default 6. */
  hysteresisDb?: number;
}

/** One frame of the room's mix. Its arrays are the mixer's: read them before the next frame, do not change them. */
export interface MixFrame {
  /** The inputs mixed this frame (at most maxSpeakers), loudest first. */
  readonly speakers: readonly string[];
  /** The speakers' samples summed, before any clipping: a speaker's own share can be taken out exactly. */
  readonly sum: Float32Array;
  /** A speaker's samples this frame; undefined for an input that is not a speaker. */
  contribution(id: string): Float32Array | undefined;
}

interface InputState {
  input: MixerInput;
  /** Loudness (127 - level) with a slow decay, so a speaker is not dropped between words. */
  smoothedLoudness: number;
  buffer: Float32Array;
}

/** Loudness decay per frame while an input is quieter than before, dB. */
const LOUDNESS_DECAY_PER_FRAME = 1;

/**
 * The room's one mix: every frame, the `maxSpeakers` loudest inputs summed.
 *
 * The cost stays flat as a room grows: every input is asked for its level
 * (from the RFC 6464 header extension, no decoding), and only the chosen
 * few are rendered (decoded). An input keeps its place against a newcomer
 * that is only a little louder (hysteresis), so decoders that run only
 * while chosen do not flap in and out. What each listener hears is made from
 * this one sum (see MixVariants): the sum itself, or the sum without the
 * listener's own voice.
 */
export class ConferenceMixer {
  readonly frameSamples: number;
  readonly maxSpeakers: number;
  readonly #hysteresis: number;
  readonly #inputs = new Map<string, InputState>();
  readonly #sum: Float32Array;
  #speakers = new Set<string>();

  constructor(options: ConferenceMixerOptions) {
    this.frameSamples = options.frameSamples;
    this.maxSpeakers = options.maxSpeakers ?? 3;
    if (!(Number.isInteger(this.maxSpeakers) && this.maxSpeakers >= 1)) throw new RangeError('maxSpeakers must be a positive integer');
    this.#hysteresis = options.hysteresisDb ?? 6;
    this.#sum = new Float32Array(this.frameSamples);
  }

  get inputCount(): number {
    return this.#inputs.size;
  }

  addInput(id: string, input: MixerInput): void {
    this.#inputs.set(id, { input, smoothedLoudness: 0, buffer: new Float32Array(this.frameSamples) });
  }

  removeInput(id: string): void {
    this.#inputs.delete(id);
    this.#speakers.delete(id);
  }

  mix(nowMs: number): MixFrame {
    const speakers = this.#rank(nowMs);
    const sum = this.#sum;
    sum.fill(0);
    const n = this.frameSamples;
    for (const id of speakers) {
      const { input, buffer } = this.#inputs.get(id)!;
      try {
        input.render(buffer);
      } catch {
        // An input that cannot render this frame is silent in it; the others play on.
        buffer.fill(0);
      }
      for (let i = 0; i < n; i++) sum[i]! += buffer[i]!;
    }
    this.#speakers = new Set(speakers);
    const chosen = this.#speakers;
    return {
      speakers,
      sum,
      contribution: (id) => (chosen.has(id) ? this.#inputs.get(id)?.buffer : undefined),
    };
  }

  /** Every input moves on a frame; the ones with something to play, loudest first (at most maxSpeakers). */
  #rank(nowMs: number): string[] {
    const limit = this.maxSpeakers;
    const top: Array<{ id: string; score: number }> = [];
    for (const [id, state] of this.#inputs) {
      let level: number | undefined;
      try {
        level = state.input.next(nowMs);
      } catch {
        level = undefined;
      }
      if (level === undefined || level >= SILENT_LEVEL) {
        state.smoothedLoudness = Math.max(0, state.smoothedLoudness - LOUDNESS_DECAY_PER_FRAME);
        continue;
      }
      const loudness = SILENT_LEVEL - level;
      state.smoothedLoudness = Math.max(loudness, state.smoothedLoudness - LOUDNESS_DECAY_PER_FRAME);
      const score = state.smoothedLoudness + (this.#speakers.has(id) ? this.#hysteresis : 0);
      // Insertion into a short sorted list: O(inputs * maxSpeakers), no sort of all inputs.
      if (top.length === limit && score <= top[limit - 1]!.score) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < score) at--;
      top.splice(at, 0, { id, score });
      if (top.length > limit) top.pop();
    }
    return top.map((entry) => entry.id);
  }
}

/**
 * Leaves samples within ±threshold alone and bends the rest smoothly (tanh)
 * towards ±1, so a sum of loud speakers never wraps or hard-clips. The curve
 * is continuous with slope 1 at the threshold.
 */
export function softClip(frame: Float32Array, threshold = 0.8): void {
  const headroom = 1 - threshold;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i]!;
    const magnitude = Math.abs(x);
    if (magnitude <= threshold) continue;
    const bent = threshold + headroom * Math.tanh((magnitude - threshold) / headroom);
    frame[i] = x < 0 ? -bent : bent;
  }
}
