import { alaw, mulaw } from 'alawmulaw';

/** The two G.711 laws: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8). */
export type G711Law = 'mulaw' | 'alaw';

/**
 * G.711 through `alawmulaw`. Its decoding matches the reference (Sun's g711.c
 * as in CPython's audioop) code for code; its encoding picks a code the
 * reference picks, or at a segment boundary or a tie the neighbouring one
 * (see test/phone/g711.test.ts).
 */
export function encodeG711(law: G711Law, samples: Int16Array): Uint8Array {
  return law === 'mulaw' ? mulaw.encode(samples) : alaw.encode(samples);
}

export function decodeG711(law: G711Law, payload: Uint8Array): Int16Array {
  return law === 'mulaw' ? mulaw.decode(payload) : alaw.decode(payload);
}

const MULAW_TO_ALAW = encodeG711(
  'alaw',
  decodeG711(
    'mulaw',
    Uint8Array.from({ length: 256 }, (_, code) => code),
  ),
);

/** µ-law codes to the A-law codes of the same samples (prompts are stored in µ-law, some callers speak A-law). */
export function mulawToAlaw(codes: Uint8Array): Buffer {
  return Buffer.from(codes.map((code) => MULAW_TO_ALAW[code]!));
}
