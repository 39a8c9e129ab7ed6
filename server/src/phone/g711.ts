import { decodeG711, encodeG711 } from '@konferenz/sfu';

/**
 * Sample-level G.711 for the SIP side (prompts stored in µ-law, played to A-law callers or
 * Opus-encoded), on the sfu's `encodeG711`/`decodeG711`, the one tested codec of the project.
 */
const ALL_CODES = Uint8Array.from({ length: 256 }, (_, code) => code);
const MULAW_DECODED = decodeG711('mulaw', ALL_CODES);
const ALAW_DECODED = decodeG711('alaw', ALL_CODES);
const MULAW_TO_ALAW = encodeG711('alaw', MULAW_DECODED);

export function mulawToLinear(value: number): number {
  return MULAW_DECODED[value & 0xff]!;
}

export function alawToLinear(value: number): number {
  return ALAW_DECODED[value & 0xff]!;
}

export function linearToMulaw(sample: number): number {
  return encodeG711('mulaw', Int16Array.of(sample))[0]!;
}

export function linearToAlaw(sample: number): number {
  return encodeG711('alaw', Int16Array.of(sample))[0]!;
}

export function mulawToAlaw(data: Buffer): Buffer {
  return Buffer.from(data.map((code) => MULAW_TO_ALAW[code]!));
}

export function linear16ToMulaw(samples: Int16Array): Buffer {
  return Buffer.from(encodeG711('mulaw', samples));
}
