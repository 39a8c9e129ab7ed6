import { z } from 'zod';

/** An SDP offer for a phone call is a few hundred bytes; a few kilobytes allow every codec a phone knows. */
export const SDP_MAX_BYTES = 8_192;
export const SDP_MAX_MEDIA = 8;

/** Every SDP line is `x=value` with a lowercase letter type and no control characters. */
export const SDP_LINE = /^[a-z]=[^\u0000-\u0008\u000a-\u001f\u007f]*$/;

const ipAddress = z
  .string()
  .max(64)
  .regex(/^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]+|[A-Za-z0-9.-]+)$/);
const connection = z.object({ version: z.union([z.literal(4), z.literal(6)]), ip: ipAddress });
const payloadType = z.number().int().min(0).max(127);

/** One m= section as sdp-transform parses it: only what negotiation reads is checked, the rest passes. */
export const sdpMediaSchema = z.looseObject({
  type: z.string().max(32),
  port: z.number().int().min(0).max(65_535),
  protocol: z.string().max(64),
  payloads: z
    .union([
      z
        .string()
        .max(512)
        .regex(/^[0-9A-Za-z/ *-]*$/),
      z.number().int(),
    ])
    .optional(),
  rtp: z
    .array(
      z.looseObject({
        payload: payloadType,
        codec: z.string().min(1).max(64),
        rate: z.number().int().min(1).max(192_000).optional(),
        encoding: z.union([z.number().int().min(1).max(8), z.string().regex(/^[1-8]$/)]).optional(),
      }),
    )
    .max(64)
    .default([]),
  fmtp: z
    .array(z.looseObject({ payload: payloadType, config: z.string().max(512) }))
    .max(64)
    .default([]),
  connection: connection.optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
  ptime: z.number().min(1).max(1000).optional(),
});
export type SdpMediaShape = z.infer<typeof sdpMediaSchema>;

export const sdpSessionSchema = z.looseObject({
  version: z.literal(0),
  origin: z.looseObject({
    username: z.string().max(128),
    sessionId: z.union([z.number(), z.string().max(64)]),
    sessionVersion: z.union([z.number(), z.string().max(64)]),
    netType: z.literal('IN'),
    ipVer: z.union([z.literal(4), z.literal(6)]),
    address: z.string().max(255),
  }),
  name: z.string().max(256).optional(),
  connection: connection.optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
  media: z.array(sdpMediaSchema).min(1).max(SDP_MAX_MEDIA),
});
export type SdpSessionShape = z.infer<typeof sdpSessionSchema>;
