import type { G711Law } from './g711';

/**
 * The codec a call's RTP uses on the phone side, as negotiated in SDP: G.711
 * (static payload types 0 and 8, 8 kHz), G.722 (static payload type 9, 16 kHz
 * audio on an 8 kHz RTP clock) or Opus (dynamic payload type, 48 kHz RTP
 * clock). Packets with any other payload type (telephone-event DTMF, comfort
 * noise) are not audio for the bridge.
 */
export type PhoneCodec =
  { name: 'PCMU'; payloadType: number } | { name: 'PCMA'; payloadType: number } | { name: 'G722'; payloadType: number } | { name: 'opus'; payloadType: number };

export const PCMU: PhoneCodec = { name: 'PCMU', payloadType: 0 };
export const PCMA: PhoneCodec = { name: 'PCMA', payloadType: 8 };
export const G722: PhoneCodec = { name: 'G722', payloadType: 9 };

/**
 * RTP clock rate of the codec. G.722's is 8000 although its audio is 16 kHz: an
 * error in RFC 1890 that RFC 3551 keeps for compatibility, so its timestamps
 * advance 160 per 20 ms like G.711's.
 */
export function rtpClockRate(codec: PhoneCodec): number {
  return codec.name === 'opus' ? 48000 : 8000;
}

/** Sample rate of the codec's audio (for G.722 not its RTP clock). */
export function audioSampleRate(codec: PhoneCodec): 8000 | 16000 | 48000 {
  if (codec.name === 'opus') return 48000;
  return codec.name === 'G722' ? 16000 : 8000;
}

export function g711Law(codec: PhoneCodec): G711Law | undefined {
  if (codec.name === 'PCMU') return 'mulaw';
  if (codec.name === 'PCMA') return 'alaw';
  return undefined;
}
