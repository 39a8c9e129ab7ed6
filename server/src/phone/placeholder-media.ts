import type { NegotiatedAudio } from '@konferenz/sip';

/** Before the SDP is known: a placeholder the RtpSession replaces with the negotiated media. */
export const PLACEHOLDER_MEDIA: NegotiatedAudio = {
  codec: 'PCMU',
  payloadType: 0,
  clockRate: 8000,
  telephoneEventPayloadType: 101,
  remoteAddress: '0.0.0.0',
  remotePort: 0,
  direction: 'sendrecv',
  onHold: false,
  ptime: 20,
};
