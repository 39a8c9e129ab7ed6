import { randomBytes } from 'node:crypto';

import { audioLevelOfInt16, SILENT_LEVEL } from './audio-level';
import type { FrameTick } from './frame-clock';
import { decodeG711, type G711Law } from './g711';
import { G711Concealment } from './g711-concealment';
import { JitterBuffer, type JitterBufferOptions, type JitterBufferStats } from './jitter-buffer';
import { OpusFrameDecoder, OpusFrameEncoder } from './opus-codec';
import { g711Law, type PhoneCodec } from './phone-codec';
import { audioLevelExtensionValue, readAudioLevel, serializeRtpPacket, type RtpPacket } from './rtp-packet';
import { RtpStreamWriter } from './rtp-stream-writer';
import { TalkspurtGate, type TalkspurtGateOptions } from './talkspurt-gate';

/** The Opus stream the bridge produces into the room. */
export interface ConferenceStreamParameters {
  payloadType: number;
  ssrc: number;
  /** The id of the RFC 6464 audio level extension on it. */
  audioLevelExtensionId: number;
}

export interface CallerToConferenceOptions {
  codec: PhoneCodec;
  conference: ConferenceStreamParameters;
  /** Sends one RTP packet to the room's plain transport. */
  send: (datagram: Buffer) => void;
  /** The caller's own RFC 6464 extension id (Opus callers that negotiated it); the bridge measures the level otherwise. */
  callerAudioLevelExtensionId?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
  /** Bits per second of the Opus the bridge encodes G.711 calls to. Default 20000. */
  opusBitrate?: number;
  /**
   * Opus complexity (0-10) for G.711 calls. Default 1: on telephone-band
   * speech it costs a third of 5 and scores no worse (README, "Decisions").
   */
  opusComplexity?: number;
  /** Neither encode nor send the caller's silence (see TalkspurtGate); `false` sends every frame. Default on. */
  silenceSuppression?: TalkspurtGateOptions | false;
}

export interface CallerToConferenceStats {
  packetsIn: number;
  packetsOut: number;
  /** G.711 frames not sent into the room because the caller was silent. */
  silentFramesSkipped: number;
  jitter: JitterBufferStats | undefined;
  decodeErrors: number;
}

/** A voice activity guess for the RFC 6464 V flag: louder than -50 dBov. */
const VOICE_LEVEL = 50;
/** G.711 goes through the jitter buffer in 10 ms slots, so 10, 20 and 30 ms packets all fit. */
const G711_SLOT_SAMPLES = 80;
const DEFAULT_OPUS_COMPLEXITY = 1;

/**
 * The caller's voice on its way into the room. G.711 is transcoded: jitter
 * buffer (10 ms slots), decode, concealment of lost slots, then every 20 ms
 * one Opus packet (encoded from the 8 kHz samples as they are: Opus codes
 * narrowband natively, no resampling) with the RFC 6464 level the bridge
 * measured, so active-speaker detection works for callers. While the caller
 * is silent nothing is encoded or sent, but a frame every 400 ms (TalkspurtGate);
 * the first packet after a gap carries the marker bit. Opus is passed
 * through: the packet is renumbered into the bridge's stream as it arrives
 * (the browsers' own jitter buffers take care of the rest), with the
 * caller's level or, without one, a level measured from a decode.
 */
export class CallerToConference {
  readonly #law: G711Law | undefined;
  readonly #conference: ConferenceStreamParameters;
  readonly #send: (datagram: Buffer) => void;
  readonly #callerLevelId: number | undefined;
  // G.711 path.
  readonly #buffer: JitterBuffer<Uint8Array> | undefined;
  readonly #concealment: G711Concealment | undefined;
  readonly #encoder: OpusFrameEncoder | undefined;
  readonly #writer: RtpStreamWriter | undefined;
  readonly #gate: TalkspurtGate | undefined;
  readonly #frame = new Int16Array(2 * G711_SLOT_SAMPLES);
  // Opus path: the caller's stream mapped into ours.
  readonly #levelDecoder: OpusFrameDecoder | undefined;
  #passThrough: { callerSsrc: number; sequenceOffset: number; timestampOffset: number } | undefined;
  #lastOut: { sequenceNumber: number; timestamp: number; atMs: number } | undefined;
  #callerSsrc: number | undefined;
  #muted = false;
  readonly #stats = { packetsIn: 0, packetsOut: 0, silentFramesSkipped: 0, decodeErrors: 0 };

  constructor(options: CallerToConferenceOptions) {
    this.#law = g711Law(options.codec);
    this.#conference = options.conference;
    this.#send = options.send;
    this.#callerLevelId = options.callerAudioLevelExtensionId;
    if (this.#law) {
      this.#buffer = new JitterBuffer({ clockRate: 8000, slotTicks: G711_SLOT_SAMPLES, ...options.jitter });
      this.#concealment = new G711Concealment({ frameSamples: G711_SLOT_SAMPLES });
      this.#encoder = new OpusFrameEncoder({
        sampleRate: 8000,
        bitrate: options.opusBitrate ?? 20_000,
        complexity: options.opusComplexity ?? DEFAULT_OPUS_COMPLEXITY,
      });
      this.#writer = new RtpStreamWriter({ payloadType: options.conference.payloadType, clockRate: 48000, ssrc: options.conference.ssrc });
      if (options.silenceSuppression !== false) this.#gate = new TalkspurtGate(options.silenceSuppression);
    } else {
      this.#levelDecoder = new OpusFrameDecoder(8000);
    }
  }

  /** While muted nothing is sent (the producer is paused as well). */
  set muted(muted: boolean) {
    this.#muted = muted;
    if (muted) this.#writer?.pause();
  }

  get muted(): boolean {
    return this.#muted;
  }

  stats(): CallerToConferenceStats {
    return { ...this.#stats, jitter: this.#buffer?.stats() };
  }

  /** An RTP packet from the caller, of the call's codec. */
  receive(packet: RtpPacket, arrivalMs: number): void {
    this.#stats.packetsIn++;
    if (this.#buffer) {
      if (this.#callerSsrc !== undefined && packet.ssrc !== this.#callerSsrc) {
        // The phone started a new stream: its timestamps mean nothing next to the old ones.
        this.#buffer.reset();
      }
      this.#callerSsrc = packet.ssrc;
      const { payload } = packet;
      for (let offset = 0; offset < payload.length; offset += G711_SLOT_SAMPLES) {
        let slot = payload.subarray(offset, offset + G711_SLOT_SAMPLES);
        if (slot.length < G711_SLOT_SAMPLES) {
          // A packet that is not a multiple of 10 ms: pad its tail with G.711 silence.
          const padded = new Uint8Array(G711_SLOT_SAMPLES).fill(this.#law === 'mulaw' ? 0xff : 0xd5);
          padded.set(slot);
          slot = padded as Buffer;
        }
        this.#buffer.push({ sequenceNumber: packet.sequenceNumber, timestamp: (packet.timestamp + offset) >>> 0, payload: slot }, arrivalMs);
      }
      return;
    }
    this.#passThroughPacket(packet, arrivalMs);
  }

  /** Every 20 ms: one Opus packet from the G.711 jitter buffer. Opus calls do nothing here. */
  tick(tick: FrameTick): void {
    const buffer = this.#buffer;
    if (!buffer || !this.#concealment || !this.#encoder || !this.#writer) return;
    // Reused: the encoder copies the samples, nothing keeps them past this tick.
    const frame = this.#frame;
    let playing = false;
    for (let half = 0; half < 2; half++) {
      const slot = buffer.pop(tick.nowMs + half * buffer.slotMs);
      if (slot.kind === 'idle') {
        frame.fill(0, half * G711_SLOT_SAMPLES, (half + 1) * G711_SLOT_SAMPLES);
        continue;
      }
      playing = true;
      const samples = slot.kind === 'packet' ? this.#concealment.good(decodeG711(this.#law!, slot.packet.payload)) : this.#concealment.lost();
      frame.set(samples, half * G711_SLOT_SAMPLES);
    }
    if (!playing || this.#muted) {
      this.#writer.pause();
      return;
    }
    const level = audioLevelOfInt16(frame);
    if (this.#gate?.decide(level) === 'skip') {
      this.#stats.silentFramesSkipped++;
      this.#writer.pause();
      return;
    }
    const payload = this.#encoder.encode(frame);
    this.#sendPacket(this.#writer.packet(tick.index * 960, payload, this.#levelExtension(level)));
  }

  #passThroughPacket(packet: RtpPacket, arrivalMs: number): void {
    if (this.#muted || packet.payload.length === 0) return;
    let level = readAudioLevel(packet, this.#callerLevelId)?.level;
    if (level === undefined) {
      try {
        level = audioLevelOfInt16(this.#levelDecoder!.decode(packet.payload));
      } catch {
        // Not Opus after all: do not forward it.
        this.#stats.decodeErrors++;
        return;
      }
    }
    let mapping = this.#passThrough;
    if (!mapping || mapping.callerSsrc !== packet.ssrc) {
      // The first packet, or the caller's phone started a new stream: carry on where ours was.
      const last = this.#lastOut;
      const nextSequence = last ? (last.sequenceNumber + 1) & 0xffff : randomBytes(2).readUInt16BE(0);
      const elapsedFrames = last ? Math.max(1, Math.round((arrivalMs - last.atMs) / 20)) : 0;
      const nextTimestamp = last ? (last.timestamp + elapsedFrames * 960) >>> 0 : randomBytes(4).readUInt32BE(0);
      mapping = {
        callerSsrc: packet.ssrc,
        sequenceOffset: (nextSequence - packet.sequenceNumber) & 0xffff,
        timestampOffset: (nextTimestamp - packet.timestamp) >>> 0,
      };
      this.#passThrough = mapping;
    }
    const sequenceNumber = (packet.sequenceNumber + mapping.sequenceOffset) & 0xffff;
    const timestamp = (packet.timestamp + mapping.timestampOffset) >>> 0;
    this.#lastOut = { sequenceNumber, timestamp, atMs: arrivalMs };
    this.#sendPacket(
      serializeRtpPacket({
        payloadType: this.#conference.payloadType,
        sequenceNumber,
        timestamp,
        ssrc: this.#conference.ssrc,
        marker: packet.marker,
        extensions: this.#levelExtension(level),
        payload: packet.payload,
      }),
    );
  }

  #levelExtension(level: number): Map<number, Uint8Array> {
    const clamped = Math.min(SILENT_LEVEL, level);
    return new Map([[this.#conference.audioLevelExtensionId, audioLevelExtensionValue(clamped, clamped <= VOICE_LEVEL)]]);
  }

  #sendPacket(datagram: Buffer): void {
    this.#stats.packetsOut++;
    this.#send(datagram);
  }
}
