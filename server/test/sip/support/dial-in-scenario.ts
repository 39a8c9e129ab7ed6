/**
 * A sipp caller (From +4930111) that dials in and keys `keys` by SIP INFO, one at a time (a space
 * is a half-second pause), then hangs up after a while or waits for the gateway's BYE.
 */
export function dialInScenario(keys: string, end: { callerHangsUpAfterMs: number } | 'gateway-hangs-up', codec: 'PCMU' | 'PCMA' = 'PCMU'): string {
  const payloadType = codec === 'PCMU' ? 0 : 8;
  const common = `
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+4930111@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:dial-in@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70`;
  const info = (key: string, cseq: number) => `
  <send retrans="500"><![CDATA[
      INFO [next_url] SIP/2.0${common}
      CSeq: ${cseq} INFO
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${key}
      Duration=100
  ]]></send>
  <recv response="200"/>
  <pause milliseconds="30"/>`;
  const body = [...keys].map((key, i) => (key === ' ' ? '\n  <pause milliseconds="500"/>' : info(key, i + 2))).join('');
  const ending = end === 'gateway-hangs-up'
    ? `
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

  ]]></send>`
    : `
  <pause milliseconds="${end.callerHangsUpAfterMs}"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0${common}
      CSeq: 99 BYE
      Content-Length: 0

  ]]></send>
  <recv response="200"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="dial-in">
  <send retrans="500"><![CDATA[
      INVITE sip:dial-in@[remote_ip]:[remote_port] SIP/2.0${common.replace('[peer_tag_param]', '')}
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
      ACK [next_url] SIP/2.0${common}
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>${body}${ending}
</scenario>
`;
}
