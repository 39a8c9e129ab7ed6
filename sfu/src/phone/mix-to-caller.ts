import type { FrameTick } from './frame-clock';
import type { G711Law } from './g711';
import type { MixVariant } from './mix-variants';
import { OpusFrameEncoder } from './opus-codec';
import { toInt16 } from './pcm';
import { g711Law, type PhoneCodec } from './phone-codec';

export interface MixToCallerOptions {
  codec: PhoneCodec;
  /**
   * Hands over one frame's payload for the caller, and how many frames the clock skipped just
   * before it (a stall): the call's RtpSession puts it into the call's one RTP stream.
   */
  send: (payload: Uint8Array, skippedFrames: number) => void;
}

/**
 * The room's mix on its way to one caller: every 20 ms the caller's version of the mix in its
 * codec. G.711 payloads are the mix's, shared with every caller hearing the same; an Opus caller
 * has an encoder of its own (Opus encoders carry state). Every frame goes, silence included:
 * phones expect a continuous stream. The RTP header is the call's (RtpSession.sendAudio): the
 * caller hears prompts and the room on one stream, one SSRC.
 */
export class MixToCaller {
  readonly #send: (payload: Uint8Array, skippedFrames: number) => void;
  readonly #law: G711Law | undefined;
  readonly #encoder: OpusFrameEncoder | undefined;
  #packetsOut = 0;

  constructor(options: MixToCallerOptions) {
    this.#send = options.send;
    this.#law = g711Law(options.codec);
    if (!this.#law) this.#encoder = new OpusFrameEncoder({ sampleRate: 48000, bitrate: 32_000 });
  }

  /** Hears G.711 (8 kHz). */
  get narrowband(): boolean {
    return this.#law !== undefined;
  }

  get packetsOut(): number {
    return this.#packetsOut;
  }

  play(tick: FrameTick, variant: MixVariant): void {
    const payload = this.#law ? variant.g711(this.#law) : this.#encoder!.encode(toInt16(variant.wide()));
    this.#packetsOut++;
    this.#send(payload, tick.skipped);
  }
}
