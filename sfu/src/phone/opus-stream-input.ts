import { audioLevelOfInt16 } from './audio-level';
import type { MixerInput } from './conference-mixer';
import { JitterBuffer, type JitterBufferOptions, type JitterBufferStats } from './jitter-buffer';
import { OpusFrameDecoder, type OpusSampleRate } from './opus-codec';
import { readAudioLevel, type RtpPacket } from './rtp-packet';

export interface OpusStreamInputOptions {
  /** The rate the mixer runs at; Opus decodes to it directly. Default 48000. */
  sampleRate?: OpusSampleRate;
  /** The id of the RFC 6464 header extension in this stream, when it has one. */
  audioLevelExtensionId?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
}

/** What the jitter buffer holds per packet: the Opus payload and its RFC 6464 level, if it had one. */
interface OpusFrame {
  payload: Buffer;
  level: number | undefined;
}

type Current = { kind: 'none' } | { kind: 'packet'; payload: Buffer; decoded: Int16Array | undefined } | { kind: 'missing' };

/**
 * One Opus RTP stream (a participant's microphone as mediasoup forwards it)
 * as a mixer input: a jitter buffer in front of a decoder that runs only for
 * frames the mixer chooses. The level comes from the packet's RFC 6464
 * extension; without one the frame is decoded to measure it.
 */
export class OpusStreamInput implements MixerInput {
  readonly #buffer: JitterBuffer<OpusFrame>;
  readonly #decoder: OpusFrameDecoder;
  readonly #frameSamples: number;
  readonly #levelExtensionId: number | undefined;
  #current: Current = { kind: 'none' };
  #lastLevel: number | undefined;
  // Samples decoded beyond this frame (packets longer than 20 ms), for the slots that follow.
  #carry: Int16Array | undefined;
  #decodeErrors = 0;
  #decodes = 0;

  constructor(options: OpusStreamInputOptions = {}) {
    const sampleRate = options.sampleRate ?? 48000;
    this.#frameSamples = (sampleRate / 1000) * 20;
    this.#levelExtensionId = options.audioLevelExtensionId;
    this.#decoder = new OpusFrameDecoder(sampleRate);
    this.#buffer = new JitterBuffer<OpusFrame>({ clockRate: 48000, slotTicks: 960, ...options.jitter });
  }

  /** Frames decoded so far (including concealment), for tests and benchmarks. */
  get decodes(): number {
    return this.#decodes;
  }

  stats(): JitterBufferStats & { decodeErrors: number } {
    return { ...this.#buffer.stats(), decodeErrors: this.#decodeErrors };
  }

  /** An RTP packet of this stream arrived. */
  push(packet: RtpPacket, arrivalMs: number): void {
    const level = readAudioLevel(packet, this.#levelExtensionId)?.level;
    const frame: OpusFrame = { payload: packet.payload, level };
    this.#buffer.push({ sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp, payload: frame }, arrivalMs);
  }

  next(nowMs: number): number | undefined {
    const slot = this.#buffer.pop(nowMs);
    const carry = this.#carry;
    this.#carry = undefined;
    switch (slot.kind) {
      case 'packet': {
        const { payload, level } = slot.packet.payload;
        this.#current = { kind: 'packet', payload, decoded: undefined };
        if (level !== undefined) {
          this.#lastLevel = level;
          return level;
        }
        // No level in the packet: decode now to measure it (render uses the result).
        const decoded = this.#decode(payload);
        this.#current.decoded = decoded;
        this.#lastLevel = audioLevelOfInt16(decoded.subarray(0, this.#frameSamples));
        return this.#lastLevel;
      }
      case 'missing':
        if (carry) {
          this.#current = { kind: 'packet', payload: Buffer.alloc(0), decoded: carry };
          return this.#lastLevel;
        }
        this.#current = { kind: 'missing' };
        return this.#lastLevel;
      case 'idle':
        this.#current = { kind: 'none' };
        this.#lastLevel = undefined;
        return undefined;
    }
  }

  render(out: Float32Array): void {
    const current = this.#current;
    let samples: Int16Array;
    if (current.kind === 'packet') {
      samples = current.decoded ?? this.#decode(current.payload);
    } else if (current.kind === 'missing') {
      this.#decodes++;
      samples = this.#decoder.conceal();
    } else {
      out.fill(0);
      return;
    }
    const n = this.#frameSamples;
    for (let i = 0; i < n; i++) out[i] = i < samples.length ? samples[i]! / 32768 : 0;
    if (samples.length > n) this.#carry = samples.subarray(n);
  }

  #decode(payload: Buffer): Int16Array {
    this.#decodes++;
    try {
      return this.#decoder.decode(payload);
    } catch {
      // A corrupted packet is a lost one.
      this.#decodeErrors++;
      return this.#decoder.conceal();
    }
  }
}
