import { encodeG711, type G711Law } from '../../../src/phone/g711';
import { G722Encoder } from '../../../src/phone/g722';
import { OpusFrameDecoder, OpusFrameEncoder } from '../../../src/phone/opus-codec';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from '../../../src/phone/rtp-packet';
import { sine, toFloat, toInt16 } from './audio';

/** `frames` packets of G.711 carrying a tone, `ptimeMs` each, as a phone sends them. */
export function g711TonePackets(options: { law?: G711Law; frequency: number; frames: number; ptimeMs?: number; ssrc?: number; amplitude?: number }): Buffer[] {
  const law = options.law ?? 'mulaw';
  const samples = ((options.ptimeMs ?? 20) / 1000) * 8000;
  return Array.from({ length: options.frames }, (_, f) =>
    serializeRtpPacket({
      payloadType: law === 'mulaw' ? 0 : 8,
      sequenceNumber: (100 + f) & 0xffff,
      timestamp: (1000 + f * samples) >>> 0,
      ssrc: options.ssrc ?? 0x1234,
      marker: f === 0,
      payload: encodeG711(law, toInt16(sine(options.frequency, 8000, samples, options.amplitude ?? 0.5, f * samples))),
    }),
  );
}

/** `frames` packets of G.722 carrying a tone (16 kHz audio, 8 kHz RTP clock), `ptimeMs` each, as a phone sends them. */
export function g722TonePackets(options: { frequency: number; frames: number; ptimeMs?: number; ssrc?: number }): Buffer[] {
  const encoder = new G722Encoder();
  const ticks = ((options.ptimeMs ?? 20) / 1000) * 8000;
  return Array.from({ length: options.frames }, (_, f) =>
    serializeRtpPacket({
      payloadType: 9,
      sequenceNumber: (100 + f) & 0xffff,
      timestamp: (1000 + f * ticks) >>> 0,
      ssrc: options.ssrc ?? 0x1234,
      marker: f === 0,
      payload: encoder.encode(toInt16(sine(options.frequency, 16000, 2 * ticks, 0.5, f * 2 * ticks))),
    }),
  );
}

/** `frames` 20 ms Opus packets of a tone, with an RFC 6464 level as extension `levelId`. */
export function opusTonePackets(options: {
  frequency: number;
  frames: number;
  ssrc: number;
  payloadType?: number;
  level?: number;
  levelId?: number;
  firstSequenceNumber?: number;
  firstTimestamp?: number;
}): Buffer[] {
  const encoder = new OpusFrameEncoder({ sampleRate: 48000 });
  return Array.from({ length: options.frames }, (_, f) =>
    serializeRtpPacket({
      payloadType: options.payloadType ?? 100,
      sequenceNumber: ((options.firstSequenceNumber ?? 1) + f) & 0xffff,
      timestamp: ((options.firstTimestamp ?? 0) + f * 960) >>> 0,
      ssrc: options.ssrc,
      extensions: options.levelId === undefined ? undefined : new Map([[options.levelId, Uint8Array.of(0x80 | (options.level ?? 20))]]),
      payload: encoder.encode(toInt16(sine(options.frequency, 48000, 960, 0.4, f * 960))),
    }),
  );
}

/** Decodes a stream of Opus RTP packets (in order) to 48 kHz floats. */
export function decodeOpusPackets(packets: RtpPacket[]): Float32Array {
  const decoder = new OpusFrameDecoder(48000);
  return toFloat(Int16Array.from(packets.flatMap((packet) => [...decoder.decode(packet.payload)])));
}

export function parseAll(datagrams: Buffer[]): RtpPacket[] {
  return datagrams.map((datagram) => parseRtpPacket(datagram));
}
