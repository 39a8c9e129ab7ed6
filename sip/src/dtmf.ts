import { z } from 'zod';

/** The sixteen DTMF keys in RFC 4733 event-code order (0–9, *, #, A–D). */
export const DTMF_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'] as const;
export type DtmfDigit = (typeof DTMF_DIGITS)[number];

export function isDtmfDigit(value: unknown): value is DtmfDigit {
  return typeof value === 'string' && (DTMF_DIGITS as readonly string[]).includes(value);
}

/** A DTMF signal as sent in a SIP INFO body: a key, or its RFC 4733 event code (10 = *, 11 = #). */
export const dtmfSignalSchema = z
  .string()
  .trim()
  .toUpperCase()
  .transform((value) => (/^\d{1,2}$/.test(value) && Number(value) < 16 ? DTMF_DIGITS[Number(value)] : value))
  .pipe(z.enum(DTMF_DIGITS));

/** `application/dtmf-relay`: `Signal=5` and an optional `Duration=160` (milliseconds). */
export const dtmfRelayFieldsSchema = z.object({
  signal: dtmfSignalSchema,
  duration: z
    .string()
    .regex(/^\d{1,5}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(60_000))
    .optional(),
});

/** SIP INFO bodies larger than this are not DTMF. */
export const SIP_INFO_DTMF_MAX_BYTES = 256;
