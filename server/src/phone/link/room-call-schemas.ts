import { z } from 'zod';

const id = z.string().min(1).max(100);
/** mediasoup checks RTP capabilities and parameters itself; here only that they are objects of a sane size. */
const mediasoupObject = z.record(z.string(), z.unknown());

const call = <M extends string, A extends z.ZodTuple>(method: M, args: A) => args.transform((parsed) => ({ method, args: parsed as z.output<A> }));

/**
 * The arguments of each media room operation a phone link may ask for (PhoneBridgeRoom), checked
 * before they reach the media room; anything else is VALIDATION_FAILED.
 */
export const roomCallSchemas = {
  setRtpCapabilities: call('setRtpCapabilities' as const, z.tuple([id, mediasoupObject])),
  createPlainTransport: call('createPlainTransport' as const, z.tuple([id, z.object({ comedia: z.literal(true) })])),
  produce: call('produce' as const, z.tuple([id, id, z.literal('audio'), mediasoupObject, z.object({ source: z.literal('microphone') })])),
  setProducerPaused: call('setProducerPaused' as const, z.tuple([id, z.boolean()])),
  consume: call('consume' as const, z.tuple([id, id])),
  resumeConsumer: call('resumeConsumer' as const, z.tuple([id, id])),
  closePeer: call('closePeer' as const, z.tuple([id])),
};
