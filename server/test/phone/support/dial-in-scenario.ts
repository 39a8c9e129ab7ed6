import type { KeyPressRecording } from './rfc4733-key-presses';

export type CallerCodec = 'PCMU' | 'PCMA';
/** The caller's BYE after a while, or waiting for the gateway's BYE (answered 200). */
export type CallEnd = { callerHangsUpAfterMs: number } | 'gateway-hangs-up';

export interface PhoneCaller {
  /**
   * As SIP INFO requests, one per key (a space is a half-second pause), or as RFC 4733
   * telephone-events on the RTP stream, played from a recording (see recordKeyPresses).
   */
  keys: string | KeyPressRecording;
  end: CallEnd;
  codec?: CallerCodec;
  /** The From user: the number the masked name shows and the PIN limiter counts failures under. */
  caller?: string;
}

/**
 * A sipp caller (From +4930111) that dials in and keys `keys` by SIP INFO, one at a time (a space
 * is a half-second pause), then hangs up after a while or waits for the gateway's BYE.
 */
export function dialInScenario(keys: string, end: CallEnd, codec: CallerCodec = 'PCMU'): string {
  return phoneCallerScenario({ keys, end, codec });
}

/** The sipp scenario of one phone caller: INVITE with G.711 and telephone-events, ACK, the keys, the end. */
export function phoneCallerScenario({ keys, end, codec = 'PCMU', caller = '+4930111' }: PhoneCaller): string {
  const payloadType = codec === 'PCMU' ? 0 : 8;
  const headers = dialogHeaders(caller);
  const body = typeof keys === 'string' ? sipInfoKeys(keys, headers) : rfc4733Keys(keys);
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="dial-in">
  <send retrans="500"><![CDATA[
      INVITE sip:dial-in@[remote_ip]:[remote_port] SIP/2.0${headers.replace('[peer_tag_param]', '')}
      CSeq: 1 INVITE
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 1 1 IN IP4 [media_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP ${payloadType} 101
      a=rtpmap:${payloadType} ${codec}/8000
      a=rtpmap:101 telephone-event/8000

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0${headers}
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>${body}${ending(end, headers)}
</scenario>
`;
}

function dialogHeaders(caller: string): string {
  return `
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:${caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:dial-in@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70`;
}

function sipInfoKeys(keys: string, headers: string): string {
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
function rfc4733Keys(recording: KeyPressRecording): string {
  return `
  <pause milliseconds="500"/>
  <nop><action><exec play_pcap_audio="${recording.pcap}"/></action></nop>
  <pause milliseconds="${recording.durationMs}"/>`;
}

function ending(end: CallEnd, headers: string): string {
  if (end === 'gateway-hangs-up') {
    return `
  <recv request="INFO" optional="true" next="1"/>
  <label id="1"/>
  <recv request="BYE" timeout="30000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>`;
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
