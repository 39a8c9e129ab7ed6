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
  /** How many speakers each listener hears at most. Default 3. */
  maxSpeakers?: number;
  /** How much louder (dB) a newcomer must be to push out someone already heard. Default 6. */
  hysteresisDb?: number;
  /** Where soft clipping starts, as a fraction of full scale. Default 0.8. */
  clipThreshold?: number;
}

export interface ListenerOptions {
  /** The input carrying the listener's own voice, never mixed for it (N-1). */
  ownInput?: string;
}

interface InputState {
  input: MixerInput;
  /** Loudness (127 - level) with a slow decay, so a speaker is not dropped between words. */
  smoothedLoudness: number;
  level: number | undefined;
  buffer: Float32Array;
}

/** A frame's work, for tests and benchmarks. */
export interface MixReport {
  /** The inputs some listener heard this frame, loudest first. */
  heard: string[];
  /** The inputs whose samples were rendered (decoded) this frame. */
  rendered: number;
  /** Distinct mixes built (listeners hearing the same speakers share one). */
  mixes: number;
}

/** Loudness decay per frame while an input is quieter than before, dB. */
const LOUDNESS_DECAY_PER_FRAME = 1;

/**
 * N-1 mixing of the loudest speakers: every frame, each listener hears the
 * `maxSpeakers` loudest inputs other than its own, summed and soft-clipped.
 *
 * The cost stays flat as a room grows: every input is asked for its level
 * (from the RFC 6464 header extension, no decoding), and only the
 * maxSpeakers + 1 loudest are rendered: a listener whose own input is among
 * the loudest hears the next one instead. Listeners who hear the same
 * speakers (all but the loudest few) share one mix.
 */
export class ConferenceMixer {
  readonly frameSamples: number;
  readonly maxSpeakers: number;
  readonly #hysteresis: number;
  readonly #clipThreshold: number;
  readonly #inputs = new Map<string, InputState>();
  readonly #listeners = new Map<string, ListenerOptions>();
  readonly #silence: Float32Array;
  #heard = new Set<string>();
  #lastReport: MixReport = { heard: [], rendered: 0, mixes: 0 };

  constructor(options: ConferenceMixerOptions) {
    this.frameSamples = options.frameSamples;
    this.maxSpeakers = options.maxSpeakers ?? 3;
    if (!(Number.isInteger(this.maxSpeakers) && this.maxSpeakers >= 1)) throw new RangeError('maxSpeakers must be a positive integer');
    this.#hysteresis = options.hysteresisDb ?? 6;
    this.#clipThreshold = options.clipThreshold ?? 0.8;
    this.#silence = new Float32Array(this.frameSamples);
  }

  get inputCount(): number {
    return this.#inputs.size;
  }

  get lastReport(): MixReport {
    return this.#lastReport;
  }

  addInput(id: string, input: MixerInput): void {
    this.#inputs.set(id, { input, smoothedLoudness: 0, level: undefined, buffer: new Float32Array(this.frameSamples) });
  }

  removeInput(id: string): void {
    this.#inputs.delete(id);
    this.#heard.delete(id);
  }

  addListener(id: string, options: ListenerOptions = {}): void {
    this.#listeners.set(id, { ...options });
  }

  removeListener(id: string): void {
    this.#listeners.delete(id);
  }

  /**
   * One frame for every listener. The arrays are the mixer's: read them
   * before the next call, do not change them (listeners may share one).
   */
  mix(nowMs: number): ReadonlyMap<string, Float32Array> {
    const ranked = this.#rank(nowMs);
    // Each listener's speakers: the loudest maxSpeakers that are not its own.
    const chosenByListener = new Map<string, string[]>();
    const needed = new Set<string>();
    for (const [listenerId, { ownInput }] of this.#listeners) {
      const chosen: string[] = [];
      for (const id of ranked) {
        if (id === ownInput) continue;
        chosen.push(id);
        needed.add(id);
        if (chosen.length === this.maxSpeakers) break;
      }
      chosenByListener.set(listenerId, chosen);
    }
    for (const id of needed) {
      const state = this.#inputs.get(id)!;
      try {
        state.input.render(state.buffer);
      } catch {
        // An input that cannot render this frame is silent in it; the others play on.
        state.buffer.fill(0);
      }
    }
    const mixes = new Map<string, Float32Array>();
    const out = new Map<string, Float32Array>();
    for (const [listenerId, chosen] of chosenByListener) {
      const key = chosen.join('\n');
      let frame = mixes.get(key);
      if (!frame) {
        frame = chosen.length === 0 ? this.#silence : this.#sum(chosen);
        mixes.set(key, frame);
      }
      out.set(listenerId, frame);
    }
    this.#heard = needed;
    this.#lastReport = { heard: ranked.filter((id) => needed.has(id)), rendered: needed.size, mixes: mixes.size };
    return out;
  }

  /** Every input moves on a frame; the ones with something to play, loudest first (at most maxSpeakers + 1). */
  #rank(nowMs: number): string[] {
    const limit = this.maxSpeakers + 1;
    const top: Array<{ id: string; score: number }> = [];
    for (const [id, state] of this.#inputs) {
      let level: number | undefined;
      try {
        level = state.input.next(nowMs);
      } catch {
        level = undefined;
      }
      state.level = level;
      if (level === undefined || level >= SILENT_LEVEL) {
        state.smoothedLoudness = Math.max(0, state.smoothedLoudness - LOUDNESS_DECAY_PER_FRAME);
        continue;
      }
      const loudness = SILENT_LEVEL - level;
      state.smoothedLoudness = Math.max(loudness, state.smoothedLoudness - LOUDNESS_DECAY_PER_FRAME);
      const score = state.smoothedLoudness + (this.#heard.has(id) ? this.#hysteresis : 0);
      // Insertion into a short sorted list: O(inputs * maxSpeakers), no sort of all inputs.
      if (top.length === limit && score <= top[limit - 1]!.score) continue;
      let at = top.length;
      while (at > 0 && top[at - 1]!.score < score) at--;
      top.splice(at, 0, { id, score });
      if (top.length > limit) top.pop();
    }
    return top.map((entry) => entry.id);
  }

  #sum(ids: string[]): Float32Array {
    const n = this.frameSamples;
    const frame = new Float32Array(n);
    for (const id of ids) {
      const buffer = this.#inputs.get(id)!.buffer;
      for (let i = 0; i < n; i++) frame[i]! += buffer[i]!;
    }
    softClip(frame, this.#clipThreshold);
    return frame;
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
