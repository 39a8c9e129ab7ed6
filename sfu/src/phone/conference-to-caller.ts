import { ConferenceMixer } from './conference-mixer';
import type { FrameTick } from './frame-clock';
import { encodeG711, type G711Law } from './g711';
import type { JitterBufferOptions, JitterBufferStats } from './jitter-buffer';
import { OpusFrameEncoder } from './opus-codec';
import { OpusStreamInput } from './opus-stream-input';
import { g711Law, rtpClockRate, type PhoneCodec } from './phone-codec';
import { Downsampler } from './resampler';
import type { RtpPacket } from './rtp-packet';
import { RtpStreamWriter } from './rtp-stream-writer';

/** A participant's audio as the room sends it to the bridge (one mediasoup consumer). */
export interface ConferenceStream {
  ssrc: number;
  payloadType: number;
  /** RFC 6464 extension id in this stream, when mediasoup forwards the level. */
  audioLevelExtensionId?: number;
}

export interface ConferenceToCallerOptions {
  codec: PhoneCodec;
  /** Sends one RTP packet to the caller. */
  send: (datagram: Buffer) => void;
  /** How many speakers the caller hears at once. Default 3. */
  maxSpeakers?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
  /** SSRC of the stream to the caller; random when left out. */
  ssrc?: number;
}

export interface ConferenceToCallerStats {
  packetsIn: number;
  packetsOut: number;
  /** RTP from the room with an SSRC or payload type the bridge does not know. */
  unknownPackets: number;
  streams: Record<string, JitterBufferStats & { decodeErrors: number }>;
}

const MIX_RATE = 48000;
const FRAME_SAMPLES = 960;
const CALLER = 'caller';

/**
 * What the caller hears: the room's audio streams (Opus, one per other
 * participant, from mediasoup) through jitter buffers into the N-1 mixer
 * (the caller's own voice is never among them: the room does not send a
 * peer its own producer), mixed at 48 kHz, then every 20 ms resampled to
 * 8 kHz and G.711-encoded, or Opus-encoded, and sent to the caller with
 * consecutive sequence numbers and timestamps from the frame clock. Sends
 * every frame, silence included: phones expect a continuous stream.
 */
export class ConferenceToCaller {
  readonly #send: (datagram: Buffer) => void;
  readonly #mixer: ConferenceMixer;
  readonly #streams = new Map<number, { input: OpusStreamInput; payloadType: number }>();
  readonly #writer: RtpStreamWriter;
  readonly #law: G711Law | undefined;
  readonly #samplesPerFrame: number;
  readonly #downsampler: Downsampler | undefined;
  readonly #encoder: OpusFrameEncoder | undefined;
  readonly #jitter: ConferenceToCallerOptions['jitter'];
  readonly #narrow = new Float32Array(160);
  readonly #stats = { packetsIn: 0, packetsOut: 0, unknownPackets: 0 };

  constructor(options: ConferenceToCallerOptions) {
    this.#send = options.send;
    this.#jitter = options.jitter;
    this.#mixer = new ConferenceMixer({ frameSamples: FRAME_SAMPLES, maxSpeakers: options.maxSpeakers });
    this.#mixer.addListener(CALLER);
    this.#law = g711Law(options.codec);
    const clockRate = rtpClockRate(options.codec);
    this.#samplesPerFrame = (clockRate / 1000) * 20;
    this.#writer = new RtpStreamWriter({ payloadType: options.codec.payloadType, clockRate, ssrc: options.ssrc });
    if (this.#law) this.#downsampler = new Downsampler(MIX_RATE, 8000);
    else this.#encoder = new OpusFrameEncoder({ sampleRate: 48000, bitrate: 32_000 });
  }

  get ssrc(): number {
    return this.#writer.ssrc;
  }

  /** The mixer, for looking at what was heard (tests, diagnostics). */
  get mixer(): ConferenceMixer {
    return this.#mixer;
  }

  stats(): ConferenceToCallerStats {
    const streams: ConferenceToCallerStats['streams'] = {};
    for (const [ssrc, { input }] of this.#streams) streams[String(ssrc)] = input.stats();
    return { ...this.#stats, streams };
  }

  addStream(stream: ConferenceStream): void {
    if (this.#streams.has(stream.ssrc)) return;
    const input = new OpusStreamInput({ sampleRate: MIX_RATE, audioLevelExtensionId: stream.audioLevelExtensionId, jitter: this.#jitter });
    this.#streams.set(stream.ssrc, { input, payloadType: stream.payloadType });
    this.#mixer.addInput(String(stream.ssrc), input);
  }

  removeStream(ssrc: number): void {
    this.#streams.delete(ssrc);
    this.#mixer.removeInput(String(ssrc));
  }

  /** An RTP packet from the room. */
  receive(packet: RtpPacket, arrivalMs: number): void {
    const stream = this.#streams.get(packet.ssrc);
    if (!stream || stream.payloadType !== packet.payloadType || packet.payload.length === 0) {
      this.#stats.unknownPackets++;
      return;
    }
    this.#stats.packetsIn++;
    stream.input.push(packet, arrivalMs);
  }

  /** Every 20 ms: mix and send one packet to the caller. */
  tick(tick: FrameTick): void {
    const mixed = this.#mixer.mix(tick.nowMs).get(CALLER)!;
    let payload: Uint8Array;
    if (this.#law) {
      const narrow = this.#downsampler!.process(mixed, this.#narrow);
      payload = encodeG711(this.#law, toInt16(narrow));
    } else {
      payload = this.#encoder!.encode(toInt16(mixed));
    }
    this.#stats.packetsOut++;
    this.#send(this.#writer.packet(tick.index * this.#samplesPerFrame, payload));
  }
}

function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.round(samples[i]! * 32767);
    out[i] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
  }
  return out;
}
