import type { FrameTick } from './frame-clock';
import { G722Encoder } from './g722';
import type { MixVariant } from './mix-variants';
import { OpusFrameEncoder } from './opus-codec';
import { toInt16 } from './pcm';
import { g711Law, type PhoneCodec } from './phone-codec';
import { Downsampler } from './resampler';

export interface MixToCallerOptions {
  codec: PhoneCodec;
  /**
   * Hands over one frame's payload for the caller, and how many frames the clock skipped just
   * before it (a stall): the call's RtpSession puts it into the call's one RTP stream.
   */
  send: (payload: Uint8Array, skippedFrames: number) => void;
}

const G722_RATE = 16000;

/**
 * The room's mix on its way to one caller: every 20 ms the caller's version of the mix in its
 * codec. G.711 payloads are the mix's, shared with every caller hearing the same; an Opus caller
 * has an encoder of its own (Opus encoders carry state). So has a G.722 caller: its ADPCM
 * encoder adapts to what it encoded before, and the caller's decoder follows that one history,
 * so one encoder cannot serve two callers; its 16 kHz version of the mix comes from a
 * downsampler of its own for the same reason (filter history), fed the caller's 48 kHz variant.
 * Every frame goes, silence included: phones expect a continuous stream. The RTP header is the
 * call's (RtpSession.sendAudio): the caller hears prompts and the room on one stream, one SSRC.
 */
export class MixToCaller {
  readonly #send: (payload: Uint8Array, skippedFrames: number) => void;
  readonly #encode: (variant: MixVariant) => Uint8Array;
  readonly #narrowband: boolean;
  #packetsOut = 0;

  constructor(options: MixToCallerOptions) {
    this.#send = options.send;
    const law = g711Law(options.codec);
    this.#narrowband = law !== undefined;
    this.#encode = law ? (variant) => variant.g711(law) : options.codec.name === 'G722' ? g722Encoding() : opusEncoding();
  }

  /** Hears G.711 (8 kHz). */
  get narrowband(): boolean {
    return this.#narrowband;
  }

  get packetsOut(): number {
    return this.#packetsOut;
  }

  play(tick: FrameTick, variant: MixVariant): void {
    const payload = this.#encode(variant);
    this.#packetsOut++;
    this.#send(payload, tick.skipped);
  }
}

function opusEncoding(): (variant: MixVariant) => Uint8Array {
  const encoder = new OpusFrameEncoder({ sampleRate: 48000, bitrate: 32_000 });
  return (variant) => encoder.encode(toInt16(variant.wide()));
}

function g722Encoding(): (variant: MixVariant) => Uint8Array {
  const downsampler = new Downsampler(48000, G722_RATE);
  const encoder = new G722Encoder();
  return (variant) => encoder.encode(toInt16(downsampler.process(variant.wide())));
}
