/**
 * sipp scenarios of phone callers dialling in to the product's SIP gateway: the parts every
 * caller shares (the dialog's headers, INVITE with G.711 and telephone-events, ACK, the answer to
 * the gateway's BYE), and whole callers that key in by SIP INFO or from a pcap.
 */

export type CallerCodec = 'PCMU' | 'PCMA';
/** The caller's BYE after a while, or waiting for the gateway's BYE (answered 200). */
export type CallEnd = { callerHangsUpAfterMs: number } | 'gateway-hangs-up';

/** RTP for sipp's `play_pcap_audio`, and how long it plays. */
export interface PcapAudio {
  pcap: string;
  durationMs: number;
}

export interface PhoneCaller {
  /**
   * As SIP INFO requests, one per key (a space is a half-second pause), or as RFC 4733
   * telephone-events on the RTP stream, played from a pcap.
   */
  keys: string | PcapAudio;
  end: CallEnd;
  codec?: CallerCodec;
  /** The From user: the number the masked name shows and the PIN limiter counts failures under. */
  caller?: string;
  /** The request URI's user part: what the caller dialled (`sip:<dialled>@gateway`). Default `dial-in`. */
  dialled?: string;
  /** The whole From name-addr instead of `<sip:<caller>@local>`, e.g. `"Anonymous" <sip:anonymous@anonymous.invalid>`. */
  from?: string;
  /** Headers only the INVITE carries (`Privacy: id`, `P-Preferred-Identity: <sip:+49…@host>`). */
  inviteHeaders?: string[];
  /** Through a proxy that record-routes: ACK, INFO and BYE carry the Route set the 200 OK's Record-Route gave. */
  viaProxy?: boolean;
  /** G.722 offered before `codec` (an HD desk phone or analog adapter); sipp still sends `codec`. */
  g722First?: boolean;
  /** Whether the INVITE offers RFC 4733 telephone-events (default true); false: a caller whose keys are tones in its audio. */
  telephoneEvents?: boolean;
}

/**
 * The headers of every request in the caller's dialog, From `caller` (sipp keywords such as
 * `[call_number]` may be part of it). `[peer_tag_param]` is left for the caller to drop from the INVITE.
 */
export function dialogHeaders(caller: string, dialled = 'dial-in', from = `<sip:${caller}@[local_ip]:[local_port]>`): string {
  return `
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: ${from};tag=[pid]SIPpTag00[call_number]
      To: <sip:${dialled}@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70`;
}

/**
 * The headers of the requests after the INVITE: `headers`, and through a record-routing proxy the
 * Route set sipp learnt from the 200 OK (`rrs="true"`).
 */
export function inDialogHeaders(headers: string, viaProxy = false): string {
  return viaProxy ? `${headers}\n      [routes]` : headers;
}

/**
 * The call set up: INVITE offering `codec` and telephone-events (plus `sdpLines`, and
 * `inviteHeaders` among its headers; no telephone-events when `telephoneEvents` is false: a caller whose keys are tones in its audio), the answer, ACK (with the Route set through a proxy).
 */
export function inviteAndAck(
  headers: string,
  codec: CallerCodec,
  sdpLines: string[] = [],
  dialled = 'dial-in',
  {
    inviteHeaders = [],
    viaProxy = false,
    telephoneEvents = true,
    g722First = false,
  }: { inviteHeaders?: string[]; viaProxy?: boolean; telephoneEvents?: boolean; g722First?: boolean } = {},
): string {
  const payloadType = codec === 'PCMU' ? 0 : 8;
  const formats = [...(g722First ? [9] : []), payloadType, ...(telephoneEvents ? [101] : [])];
  const sdp = [
    'v=0',
    'o=sipp 1 1 IN IP4 [media_ip]',
    's=-',
    'c=IN IP4 [media_ip]',
    't=0 0',
    `m=audio [media_port] RTP/AVP ${formats.join(' ')}`,
    ...(g722First ? ['a=rtpmap:9 G722/8000'] : []),
    `a=rtpmap:${payloadType} ${codec}/8000`,
    ...(telephoneEvents ? ['a=rtpmap:101 telephone-event/8000'] : []),
    ...sdpLines,
  ];
  return `
  <send retrans="500"><![CDATA[
      INVITE sip:${dialled}@[remote_ip]:[remote_port] SIP/2.0${headers.replace('[peer_tag_param]', '')}${inviteHeaders.map((header) => `\n      ${header}`).join('')}
      CSeq: 1 INVITE
      Content-Type: application/sdp
      Content-Length: [len]

${sdp.map((line) => `      ${line}\n`).join('')}
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0${inDialogHeaders(headers, viaProxy)}
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>`;
}

/** The caller's 200 OK to the gateway's BYE. */
export const ANSWER_BYE = `
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>`;

/** A whole scenario file around `steps`. */
export function scenario(name: string, steps: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">${steps}
</scenario>
`;
}

/**
 * A sipp caller (From +4930111) that dials in and keys `keys` by SIP INFO, one at a time (a space
 * is a half-second pause), then hangs up after a while or waits for the gateway's BYE.
 */
export function dialInScenario(keys: string, end: CallEnd, codec: CallerCodec = 'PCMU'): string {
  return phoneCallerScenario({ keys, end, codec });
}

/** The sipp scenario of one phone caller: INVITE with G.711 and telephone-events, ACK, the keys, the end. */
export function phoneCallerScenario({
  keys,
  end,
  codec = 'PCMU',
  caller = '+4930111',
  dialled,
  from,
  inviteHeaders,
  viaProxy,
  telephoneEvents,
  g722First,
}: PhoneCaller): string {
  const headers = dialogHeaders(caller, dialled, from);
  const later = inDialogHeaders(headers, viaProxy);
  const body = typeof keys === 'string' ? sipInfoKeys(keys, later) : rfc4733Keys(keys);
  return scenario(
    'dial-in',
    `${inviteAndAck(headers, codec, [], dialled, { inviteHeaders, viaProxy, telephoneEvents, g722First })}${body}${ending(end, later)}`,
  );
}

/** Keys as SIP INFO requests, one per key, each answered before the next (a space is a half-second pause). */
export function sipInfoKeys(keys: string, headers: string): string {
  return [...keys].map((key, index) => (key === ' ' ? '\n  <pause milliseconds="500"/>' : sipInfoKey(key, index + 2, headers))).join('');
}

function sipInfoKey(key: string, cseq: number, headers: string): string {
  return `
  <send retrans="500"><![CDATA[
      INFO [next_url] SIP/2.0${headers}
      CSeq: ${cseq} INFO
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${key}
      Duration=100
  ]]></send>
  <recv response="200"/>
  <pause milliseconds="30"/>`;
}

/**
 * sipp plays the pcap in the background, to the media address of the gateway's SDP answer; the
 * scenario waits until it has played. The caller starts keying once it hears the welcome.
 */
export function rfc4733Keys(audio: PcapAudio): string {
  return `
  <pause milliseconds="500"/>
  <nop><action><exec play_pcap_audio="${audio.pcap}"/></action></nop>
  <pause milliseconds="${audio.durationMs}"/>`;
}

/** The caller's BYE after a while, or the wait for the gateway's BYE and the 200 OK to it. */
export function ending(end: CallEnd, headers: string): string {
  if (end === 'gateway-hangs-up') {
    return `
  <recv request="INFO" optional="true" next="1"/>
  <label id="1"/>
  <recv request="BYE" timeout="30000"/>${ANSWER_BYE}`;
  }
  return `
  <pause milliseconds="${end.callerHangsUpAfterMs}"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0${headers}
      CSeq: 99 BYE
      Content-Length: 0

  ]]></send>
  <recv response="200"/>`;
}
