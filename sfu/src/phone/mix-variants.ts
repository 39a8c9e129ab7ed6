import { softClip, type MixFrame } from './conference-mixer';
import { encodeG711, type G711Law } from './g711';
import { toInt16 } from './pcm';
import { Downsampler } from './resampler';

/**
 * What one listener hears in one frame. Every listener hearing the same
 * variant gets the same arrays: read them, do not change them.
 */
export interface MixVariant {
  /** 20 ms at 8 kHz in G.711: encoded once per variant and law, whoever asks. */
  g711(law: G711Law): Uint8Array;
  /** 20 ms at 48 kHz, soft-clipped, for a listener that encodes for itself (Opus). */
  wide(): Float32Array;
}

export interface MixVariantsOptions {
  /** Samples per frame at the mix rate: 960 for 20 ms at 48 kHz. */
  frameSamples: number;
  /** The mix rate. Default 48000. */
  sampleRate?: number;
}

const NARROW_RATE = 8000;

/**
 * The few versions of the room's mix that its listeners hear in a frame:
 * the mix itself for everyone whose voice is not in it, the mix without a
 * speaker's own share for that speaker, silence for a listener who may hear
 * nothing yet. Each is made, downsampled and G.711-encoded at most once per
 * frame, however many listeners hear it.
 *
 * A speaker's share is taken out before soft clipping, so nothing of it is
 * left. At 8 kHz this relies on the downsampler being linear: the sum and
 * each speaker's share go through downsamplers of their own, fed every
 * frame, and the share is subtracted after them; a share's downsampler is
 * fed silence for as long as its filter still remembers the speaker's last
 * words, so the sum's filter memory of them is taken out too. Soft clipping
 * of the 8 kHz versions comes last.
 */
export class MixVariants {
  readonly silence: MixVariant;
  readonly #frameSamples: number;
  readonly #narrowSamples: number;
  readonly #sampleRate: number;
  readonly #flushFrames: number;
  readonly #sumDownsampler: Downsampler;
  readonly #narrowSum: Float32Array;
  // Speakers whose listener hears G.711: the 8 kHz share of each, and frames since it last spoke.
  readonly #shares = new Map<string, { downsampler: Downsampler; narrow: Float32Array; quietFrames: number }>();
  readonly #silentWide: Float32Array;
  #frame: MixFrame | undefined;
  #variants = new Map<string | undefined, MixVariant>();

  constructor(options: MixVariantsOptions) {
    this.#frameSamples = options.frameSamples;
    this.#sampleRate = options.sampleRate ?? 48000;
    this.#narrowSamples = (this.#frameSamples * NARROW_RATE) / this.#sampleRate;
    this.#sumDownsampler = new Downsampler(this.#sampleRate, NARROW_RATE);
    this.#flushFrames = Math.ceil((2 * this.#sumDownsampler.delaySamples) / this.#frameSamples);
    this.#narrowSum = new Float32Array(this.#narrowSamples);
    this.#silentWide = new Float32Array(this.#frameSamples);
    const silentG711 = { mulaw: encodeG711('mulaw', new Int16Array(this.#narrowSamples)), alaw: encodeG711('alaw', new Int16Array(this.#narrowSamples)) };
    this.silence = { g711: (law) => silentG711[law], wide: () => this.#silentWide };
  }

  /**
   * Moves on to the next frame of the mix. `narrowOwners`: the inputs whose
   * own listener hears G.711 (their 8 kHz share is kept, to be taken out).
   */
  next(frame: MixFrame, narrowOwners: ReadonlySet<string>): void {
    this.#frame = frame;
    this.#variants = new Map();
    this.#sumDownsampler.process(frame.sum, this.#narrowSum);
    for (const [id, share] of this.#shares) {
      const samples = frame.contribution(id);
      if (samples) share.quietFrames = 0;
      else share.quietFrames++;
      if (share.quietFrames > this.#flushFrames || !narrowOwners.has(id)) this.#shares.delete(id);
      else share.downsampler.process(samples ?? this.#silentWide, share.narrow);
    }
    for (const id of frame.speakers) {
      if (this.#shares.has(id) || !narrowOwners.has(id)) continue;
      // Not a speaker last frame (or its listener just came): its share starts from silence, as in the sum.
      const share = { downsampler: new Downsampler(this.#sampleRate, NARROW_RATE), narrow: new Float32Array(this.#narrowSamples), quietFrames: 0 };
      share.downsampler.process(frame.contribution(id)!, share.narrow);
      this.#shares.set(id, share);
    }
  }

  /** What the listener whose own voice is the input `ownId` hears this frame (no own voice: the mix itself). */
  heardBy(ownId: string | undefined): MixVariant {
    const frame = this.#frame;
    if (!frame) return this.silence;
    const key = ownId !== undefined && (frame.contribution(ownId) || this.#shares.has(ownId)) ? ownId : undefined;
    let variant = this.#variants.get(key);
    if (!variant) {
      variant = this.#variant(frame, key);
      this.#variants.set(key, variant);
    }
    return variant;
  }

  #variant(frame: MixFrame, withoutId: string | undefined): MixVariant {
    let wide: Float32Array | undefined;
    let narrow: Int16Array | undefined;
    const encoded: Partial<Record<G711Law, Uint8Array>> = {};
    return {
      wide: () => {
        if (!wide) {
          const own = withoutId === undefined ? undefined : frame.contribution(withoutId);
          wide = own ? minus(frame.sum, own) : Float32Array.from(frame.sum);
          softClip(wide);
        }
        return wide;
      },
      g711: (law) => {
        let payload = encoded[law];
        if (!payload) {
          if (!narrow) {
            const share = withoutId === undefined ? undefined : this.#shares.get(withoutId);
            const samples = share ? minus(this.#narrowSum, share.narrow) : Float32Array.from(this.#narrowSum);
            softClip(samples);
            narrow = toInt16(samples);
          }
          payload = encodeG711(law, narrow);
          encoded[law] = payload;
        }
        return payload;
      },
    };
  }
}

function minus(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}
