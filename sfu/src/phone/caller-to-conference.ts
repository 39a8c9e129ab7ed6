import { randomBytes } from 'node:crypto';

import { audioLevelOfInt16, SILENT_LEVEL } from './audio-level';
import type { FrameTick } from './frame-clock';
import { decodeG711, type G711Law } from './g711';
import { G711Concealment } from './g711-concealment';
import { G722Decoder } from './g722';
import { JitterBuffer, type JitterBufferOptions, type JitterBufferStats } from './jitter-buffer';
import { OpusFrameDecoder, OpusFrameEncoder } from './opus-codec';
import { audioSampleRate, g711Law, type PhoneCodec } from './phone-codec';
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
  /** Bits per second of the Opus the bridge encodes G.711 and G.722 calls to. Default 20000, G.722 32000 (wideband, as the mix to Opus callers). */
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
/**
 * G.711 and G.722 go through the jitter buffer in 10 ms slots, so 10, 20 and 30 ms packets all
 * fit: 80 RTP clock ticks, and as many bytes, for both (G.722's clock is 8 kHz, RFC 3551).
 */
const SLOT_TICKS = 80;
const DEFAULT_OPUS_COMPLEXITY = 1;

/**
 * The caller's voice on its way into the room. G.711 and G.722 are transcoded:
 * jitter buffer (10 ms slots), decode, concealment of lost slots, then every
 * 20 ms one Opus packet (encoded from the 8 or 16 kHz samples as they are: Opus
 * codes narrowband and wideband natively, no resampling) with the RFC 6464
 * level the bridge
 * measured, so active-speaker detection works for callers. While the caller
 * is silent nothing is encoded or sent, but a frame every 400 ms (TalkspurtGate);
 * the first packet after a gap carries the marker bit. Opus is passed
 * through: the packet is renumbered into the bridge's stream as it arrives
 * (the browsers' own jitter buffers take care of the rest), with the
 * caller's level or, without one, a level measured from a decode.
 */
export class CallerToConference {
  readonly #law: G711Law | undefined;
  // Decodes one slot: G.711, or G.722 with the call's one decoder (its state follows the caller's encoder).
  readonly #decode: ((slot: Uint8Array) => Int16Array) | undefined;
  readonly #slotSamples: number;
  readonly #conference: ConferenceStreamParameters;
  readonly #send: (datagram: Buffer) => void;
  readonly #callerLevelId: number | undefined;
  // G.711 and G.722 path.
  readonly #buffer: JitterBuffer<Uint8Array> | undefined;
  readonly #concealment: G711Concealment | undefined;
  readonly #encoder: OpusFrameEncoder | undefined;
  readonly #writer: RtpStreamWriter | undefined;
  readonly #gate: TalkspurtGate | undefined;
  readonly #frame: Int16Array;
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
    const sampleRate = audioSampleRate(options.codec);
    this.#slotSamples = (SLOT_TICKS * sampleRate) / 8000;
    this.#frame = new Int16Array(2 * this.#slotSamples);
    const law = this.#law;
    if (law) this.#decode = (slot) => decodeG711(law, slot);
    else if (options.codec.name === 'G722') {
      const decoder = new G722Decoder();
      this.#decode = (slot) => decoder.decode(slot);
    }
    if (this.#decode) {
      this.#buffer = new JitterBuffer({ clockRate: 8000, slotTicks: SLOT_TICKS, ...options.jitter });
      // The same concealment suits G.722: its decoder has none either.
      this.#concealment = new G711Concealment({ frameSamples: this.#slotSamples, crossfadeSamples: (16 * sampleRate) / 8000 });
      this.#encoder = new OpusFrameEncoder({
        sampleRate,
        bitrate: options.opusBitrate ?? (options.codec.name === 'G722' ? 32_000 : 20_000),
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
      for (let offset = 0; offset < payload.length; offset += SLOT_TICKS) {
        let slot = payload.subarray(offset, offset + SLOT_TICKS);
        if (slot.length < SLOT_TICKS) {
          // A packet that is not a multiple of 10 ms: pad its tail with silence (G.722: the code of the smallest step in both bands).
          const padded = new Uint8Array(SLOT_TICKS).fill(this.#law === 'alaw' ? 0xd5 : 0xff);
          padded.set(slot);
          slot = padded as Buffer;
        }
        this.#buffer.push({ sequenceNumber: packet.sequenceNumber, timestamp: (packet.timestamp + offset) >>> 0, payload: slot }, arrivalMs);
      }
      return;
    }
    this.#passThroughPacket(packet, arrivalMs);
  }

  /** Every 20 ms: one Opus packet from the G.711 or G.722 jitter buffer. Opus calls do nothing here. */
  tick(tick: FrameTick): void {
    const buffer = this.#buffer;
    const decode = this.#decode;
    if (!buffer || !decode || !this.#concealment || !this.#encoder || !this.#writer) return;
    const slotSamples = this.#slotSamples;
    // Reused: the encoder copies the samples, nothing keeps them past this tick.
    const frame = this.#frame;
    let playing = false;
    for (let half = 0; half < 2; half++) {
      const slot = buffer.pop(tick.nowMs + half * buffer.slotMs);
      if (slot.kind === 'idle') {
        frame.fill(0, half * slotSamples, (half + 1) * slotSamples);
        continue;
      }
      playing = true;
      const samples = slot.kind === 'packet' ? this.#concealment.good(decode(slot.packet.payload)) : this.#concealment.lost();
      frame.set(samples, half * slotSamples);
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
