export interface G711ConcealmentOptions {
  /** Samples per frame (80 for 10 ms at 8 kHz). */
  frameSamples: number;
  /** How much quieter each further concealed frame gets (0-1). Default 0.2: silent after 5 frames. */
  fadePerFrame?: number;
  /** Samples over which a real frame after a loss fades in from the concealment. Default 16 (2 ms at 8 kHz). */
  crossfadeSamples?: number;
}

/**
 * Packet loss concealment for G.711 (which has none of its own): a lost
 * frame is the last good frame again, each further one quieter, until
 * silence; the first good frame after a loss is cross-faded in from the
 * concealment so the seam does not click. A simple relative of G.711
 * Appendix I, which repeats pitch periods instead of whole frames.
 */
export class G711Concealment {
  readonly #frameSamples: number;
  readonly #fadePerFrame: number;
  readonly #crossfadeSamples: number;
  readonly #last: Int16Array;
  #haveLast = false;
  #lostInARow = 0;
  // The concealment frame that would have come next, for the cross-fade.
  readonly #tail: Int16Array;

  constructor(options: G711ConcealmentOptions) {
    this.#frameSamples = options.frameSamples;
    this.#fadePerFrame = options.fadePerFrame ?? 0.2;
    this.#crossfadeSamples = Math.min(options.crossfadeSamples ?? 16, options.frameSamples);
    this.#last = new Int16Array(options.frameSamples);
    this.#tail = new Int16Array(options.frameSamples);
  }

  /** A good frame: returned (cross-faded after a loss) and remembered. */
  good(frame: Int16Array): Int16Array {
    if (frame.length !== this.#frameSamples) throw new RangeError(`frame of ${frame.length} samples, expected ${this.#frameSamples}`);
    let out = frame;
    if (this.#lostInARow > 0 && this.#haveLast) {
      this.#fill(this.#tail, this.#lostInARow + 1);
      out = Int16Array.from(frame);
      const n = this.#crossfadeSamples;
      for (let i = 0; i < n; i++) {
        const w = (i + 1) / (n + 1);
        out[i] = Math.round(w * frame[i]! + (1 - w) * this.#tail[i]!);
      }
    }
    this.#last.set(frame);
    this.#haveLast = true;
    this.#lostInARow = 0;
    return out;
  }

  /** A frame standing in for a lost one. */
  lost(): Int16Array {
    this.#lostInARow++;
    const out = new Int16Array(this.#frameSamples);
    if (this.#haveLast) this.#fill(out, this.#lostInARow);
    return out;
  }

  /** The last good frame at the gain of the `nth` concealed frame in a row, fading within the frame. */
  #fill(out: Int16Array, nth: number): void {
    const n = this.#frameSamples;
    const startGain = Math.max(0, 1 - (nth - 1) * this.#fadePerFrame);
    const endGain = Math.max(0, 1 - nth * this.#fadePerFrame);
    for (let i = 0; i < n; i++) {
      const gain = startGain + ((endGain - startGain) * i) / n;
      out[i] = Math.round(this.#last[i]! * gain);
    }
  }
}
