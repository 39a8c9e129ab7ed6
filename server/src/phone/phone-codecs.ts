import type { PhoneCodec } from '@konferenz/sfu';
import type { AudioCodecName, NegotiatedAudio } from '@konferenz/sip';

/**
 * The codecs a call is answered in, best first: what both the bridge and the prompt player
 * handle. Opus when the caller offers it (wideband, passed into the room as it is), else G.722
 * (wideband, the HD desk phones' and many trunks' codec), else G.711.
 */
export const ANSWERED_CODECS: readonly AudioCodecName[] = ['opus', 'G722', 'PCMU', 'PCMA'];

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
