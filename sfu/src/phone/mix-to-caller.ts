import type { FrameTick } from './frame-clock';
import type { G711Law } from './g711';
import type { MixVariant } from './mix-variants';
import { OpusFrameEncoder } from './opus-codec';
import { toInt16 } from './pcm';
import { g711Law, rtpClockRate, type PhoneCodec } from './phone-codec';
import { RtpStreamWriter } from './rtp-stream-writer';

export interface MixToCallerOptions {
  codec: PhoneCodec;
  /** Sends one RTP packet to the caller. */
  send: (datagram: Buffer) => void;
  /** SSRC of the stream to the caller; random when left out. */
  ssrc?: number;
}

/**
 * The room's mix on its way to one caller: every 20 ms the caller's version
 * of the mix in its codec, in an RTP packet with the caller's own SSRC,
 * sequence number and a timestamp from the frame clock. G.711 payloads are
 * the mix's, shared with every caller hearing the same; an Opus caller has
 * an encoder of its own (Opus encoders carry state). Sends every frame,
 * silence included: phones expect a continuous stream.
 */
export class MixToCaller {
  readonly #send: (datagram: Buffer) => void;
  readonly #writer: RtpStreamWriter;
  readonly #law: G711Law | undefined;
  readonly #samplesPerFrame: number;
  readonly #encoder: OpusFrameEncoder | undefined;
  #packetsOut = 0;

  constructor(options: MixToCallerOptions) {
    this.#send = options.send;
    this.#law = g711Law(options.codec);
    const clockRate = rtpClockRate(options.codec);
    this.#samplesPerFrame = (clockRate / 1000) * 20;
    this.#writer = new RtpStreamWriter({ payloadType: options.codec.payloadType, clockRate, ssrc: options.ssrc });
    if (!this.#law) this.#encoder = new OpusFrameEncoder({ sampleRate: 48000, bitrate: 32_000 });
  }

  get ssrc(): number {
    return this.#writer.ssrc;
  }

  /** Hears G.711 (8 kHz). */
  get narrowband(): boolean {
    return this.#law !== undefined;
  }

  get packetsOut(): number {
    return this.#packetsOut;
  }

  play(tick: FrameTick, variant: MixVariant): void {
    // Frames skipped after a stall leave a gap in the timestamps: the packet after it starts a
    // new talkspurt (marker bit, RFC 3551 §4.1), so the phone's jitter buffer resynchronises.
    if (tick.skipped > 0) this.#writer.pause();
    const payload = this.#law ? variant.g711(this.#law) : this.#encoder!.encode(toInt16(variant.wide()));
    this.#packetsOut++;
    this.#send(this.#writer.packet(tick.index * this.#samplesPerFrame, payload));
  }
}
