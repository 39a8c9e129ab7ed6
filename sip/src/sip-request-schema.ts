import { z } from 'zod';
import { SIP_BRANCH_MAGIC_COOKIE, SIP_CALL_ID, SIP_HOST, SIP_TOKEN, SIP_UNSIGNED } from './sip-grammar';
import { SIP_LIMITS } from './sip-limits';

/**
 * The shape of a SIP request after the `sip` library parsed it (sip-message.ts). The library is
 * lenient: it skips headers it cannot read and leaves odd values as they came. This schema is
 * where the gateway decides what it will act on; whatever fails here is answered 400 or dropped.
 */
const params = z.record(z.string().max(64), z.string().max(256).nullable());

const sipUri = z
  .string()
  .max(SIP_LIMITS.maxUriLength)
  .regex(/^(sips?:[^\s<>"]+|tel:[^\s<>"]+)$/i, 'sip.uri');

export const sipViaSchema = z.object({
  version: z.literal('2.0'),
  protocol: z.string().regex(/^(UDP|TCP|TLS|SCTP|WS|WSS)$/i, 'sip.via.transport'),
  host: z.string().min(1).max(255).regex(SIP_HOST, 'sip.via.host'),
  port: z.number().int().min(1).max(65_535).optional(),
  params: params.refine(
    (value) =>
      typeof value.branch === 'string' &&
      value.branch.length > SIP_BRANCH_MAGIC_COOKIE.length &&
      value.branch.startsWith(SIP_BRANCH_MAGIC_COOKIE) &&
      value.branch.length <= 128,
    'sip.via.branch',
  ),
});
export type SipVia = z.infer<typeof sipViaSchema>;

export const sipNameAddrSchema = z.object({
  name: z.string().max(256).optional(),
  uri: sipUri,
  params,
});
export type SipNameAddr = z.infer<typeof sipNameAddrSchema>;

const tag = z.string().min(1).max(SIP_LIMITS.maxTagLength).regex(SIP_TOKEN);

const sipCseqSchema = z.object({
  seq: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  method: z.string().regex(SIP_TOKEN),
});

export const sipRequestSchema = z
  .object({
    method: z.string().min(1).max(32).regex(SIP_TOKEN, 'sip.method'),
    uri: sipUri,
    version: z.literal('2.0'),
    headers: z.looseObject({
      via: z.array(sipViaSchema).min(1).max(SIP_LIMITS.maxViaCount),
      from: sipNameAddrSchema.refine((value) => tag.safeParse(value.params.tag).success, 'sip.from.tag'),
      to: sipNameAddrSchema.refine((value) => value.params.tag === undefined || tag.safeParse(value.params.tag).success, 'sip.to.tag'),
      'call-id': z.string().min(1).max(SIP_LIMITS.maxCallIdLength).regex(SIP_CALL_ID, 'sip.callId'),
      cseq: sipCseqSchema,
      'max-forwards': z
        .string()
        .regex(SIP_UNSIGNED)
        .refine((value) => Number(value) <= 255)
        .optional(),
      'content-length': z.number().int().min(0).max(SIP_LIMITS.maxBodyBytes).optional(),
      'content-type': z.string().max(256).optional(),
      contact: z.union([z.literal('*'), z.array(sipNameAddrSchema).max(8)]).optional(),
    }),
    content: z.string().max(SIP_LIMITS.maxBodyBytes),
  })
  .refine((request) => request.headers.cseq.method === request.method, 'sip.cseq.method');
export type SipRequestShape = z.infer<typeof sipRequestSchema>;

/** Headers a response copies from its request (RFC 3261 §8.2.6.2); without them no answer can be sent. */
export const sipReplyableSchema = z.object({
  headers: z.looseObject({
    via: z.array(sipViaSchema).min(1).max(SIP_LIMITS.maxViaCount),
    from: sipNameAddrSchema,
    to: sipNameAddrSchema,
    'call-id': z.string().min(1).max(SIP_LIMITS.maxCallIdLength).regex(SIP_CALL_ID),
    cseq: sipCseqSchema,
  }),
});
