import type { G711Law } from './g711';

/**
 * The codec a call's RTP uses on the phone side, as negotiated in SDP: G.711
 * (static payload types 0 and 8, 8 kHz) or Opus (dynamic payload type, 48 kHz
 * RTP clock). Packets with any other payload type (telephone-event DTMF,
 * comfort noise) are not audio for the bridge.
 */
export type PhoneCodec = { name: 'PCMU'; payloadType: number } | { name: 'PCMA'; payloadType: number } | { name: 'opus'; payloadType: number };

export const PCMU: PhoneCodec = { name: 'PCMU', payloadType: 0 };
export const PCMA: PhoneCodec = { name: 'PCMA', payloadType: 8 };

/** RTP clock rate of the codec. */
export function rtpClockRate(codec: PhoneCodec): number {
  return codec.name === 'opus' ? 48000 : 8000;
}

export function g711Law(codec: PhoneCodec): G711Law | undefined {
  if (codec.name === 'PCMU') return 'mulaw';
  if (codec.name === 'PCMA') return 'alaw';
  return undefined;
}
