import type { PhoneCodec } from '@konferenz/sfu';
import type { AudioCodecName, NegotiatedAudio } from '@konferenz/sip';

/**
 * The codecs a call is answered in, best first: what both the bridge and the prompt player
 * handle. Opus when the caller offers it (wideband, passed into the room as it is), else G.711.
 */
export const ANSWERED_CODECS: readonly AudioCodecName[] = ['opus', 'PCMU', 'PCMA'];

/**
 * The gateway's own offer (an INVITE without SDP) stays G.711: Opus is for callers that offer
 * it, and every phone answers G.711.
 */
export const OFFERED_CODECS: readonly AudioCodecName[] = ['PCMU', 'PCMA'];

/** The bridge's codec for the negotiated audio; G.722 (never negotiated) has none. */
export function bridgeCodec(media: NegotiatedAudio): PhoneCodec | undefined {
  const { codec: name, payloadType } = media;
  return name === 'G722' ? undefined : { name, payloadType };
}
