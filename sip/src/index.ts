// The SIP stack's public surface (see README.md): what the phone application needs to take
// calls, and nothing of the stack's inner layers (message grammar, transport, transactions).
export { SipUserAgentServer, DEFAULT_SERVER_NAME } from './sip-user-agent-server';
export type { SipLogger, SipStatistics, SipUserAgentServerOptions } from './sip-user-agent-server';
export { SipCall } from './sip-call';
export type { CallEndReason, CallerOrigin, CallState, ReOffer, SipCallEvents } from './sip-call';
export { SipCallAdmission } from './sip-call-admission';
export type { Admission, SipCallLimits } from './sip-call-admission';
export { AUDIO_CODECS, acceptSdpAnswer, createSdpOffer, negotiateSdp } from './sdp-negotiation';
export type { AudioCodecName, LocalMedia, MediaDirection, NegotiatedAudio, SdpFailure, SdpNegotiation } from './sdp-negotiation';
export { DTMF_DIGITS, isDtmfDigit } from './dtmf';
export type { DtmfDigit } from './dtmf';
export { callerId, maskedCallerName } from './caller-name';
export { sanitise as logSafe } from './sip-refusal-log';
export { networkSource } from './network-source';
