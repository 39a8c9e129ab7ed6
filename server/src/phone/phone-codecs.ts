import type { PhoneCodec } from '@konferenz/sfu';
import { negotiateSdp, type AudioCodecName, type LocalMedia, type NegotiatedAudio, type SdpNegotiation } from '@konferenz/sip';

/**
 * The codecs a call is answered in, best first: what both the bridge and the prompt player
 * handle. Opus when the caller offers it (wideband, passed into the room as it is), else G.722
 * (wideband, the HD desk phones' and many trunks' codec), else G.711.
 */
export const ANSWERED_CODECS: readonly AudioCodecName[] = ['opus', 'G722', 'PCMU', 'PCMA'];

/**
 * For a caller that offers no telephone-event (analog adapters, trunks that strip RFC 4733): its
 * keys come by SIP INFO or as tones in its audio, and tones are heard in G.711 only (CallKeys),
 * so G.711 goes before G.722 — in G.722 such a caller could not key its PIN.
 */
export const ANSWERED_CODECS_WITHOUT_EVENTS: readonly AudioCodecName[] = ['opus', 'PCMU', 'PCMA', 'G722'];

/** The answer to a caller's offer, in the best codec the caller can also key in. */
export function negotiateAnswer(offer: string, local: (codecs: readonly AudioCodecName[]) => LocalMedia): SdpNegotiation {
  const negotiated = negotiateSdp(offer, local(ANSWERED_CODECS));
  return negotiated.ok && negotiated.audio.telephoneEventPayloadType === null ? negotiateSdp(offer, local(ANSWERED_CODECS_WITHOUT_EVENTS)) : negotiated;
}

/**
 * The gateway's own offer (an INVITE without SDP) stays G.711: Opus and G.722 are for callers
 * that offer them, and every phone answers G.711.
 */
export const OFFERED_CODECS: readonly AudioCodecName[] = ['PCMU', 'PCMA'];

/** The bridge's codec for the negotiated audio. */
export function bridgeCodec(media: NegotiatedAudio): PhoneCodec {
  const { codec: name, payloadType } = media;
  return { name, payloadType };
}
