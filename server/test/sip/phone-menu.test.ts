import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { IvrStateMachine, type ConferenceAction } from '../../src/sip/ivr-state-machine';
import { PhoneMenu } from '../../src/sip/phone-menu';
import { PromptLibrary } from '../../src/sip/prompt-library';
import { PromptPlayer } from '../../src/sip/prompt-player';
import { RtpSession } from '../../src/sip/rtp-session';
import { negotiateSdp } from '../../src/sip/sdp-negotiation';
import { SipUserAgentServer } from '../../src/sip/sip-user-agent-server';
import { describe, requireSipp, runSipp } from './support/sipp';

const ROOM = '47110815';
const MODERATOR_PIN = '583920';

/** A sipp caller that dials in, keys `keys` by SIP INFO one at a time, then hangs up (or waits for the gateway's BYE). */
function menuScenario(keys: string, end: 'caller-hangs-up' | 'gateway-hangs-up'): string {
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
  const ending = end === 'caller-hangs-up'
    ? `
  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0${common}
      CSeq: 99 BYE
      Content-Length: 0

  ]]></send>
  <recv response="200"/>`
    : `
  <recv request="BYE" timeout="15000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

  ]]></send>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="phone menu">
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
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0${common}
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>${body}${ending}
</scenario>
`;
}

/** The phone menu end to end: SIP, DTMF by INFO, the state machine, prompts over RTP, the gateway's own BYE. */
group('phone menu over SIP', () => {
  let server: SipUserAgentServer;
  let dir: string;
  const joins: Array<{ roomNumber: string; role: string; language: string }> = [];
  const actions: ConferenceAction[] = [];
  const menus: PhoneMenu[] = [];

  beforeAll(async () => {
    requireSipp();
    Logger.overrideLogger(['error', 'warn']);
    dir = mkdtempSync(join(tmpdir(), 'konferenz-menu-'));
    server = await SipUserAgentServer.start({ host: '127.0.0.1', port: 0 });
    const library = new PromptLibrary();
    server.on('call', async (call) => {
      const placeholder = { codec: 'PCMA', payloadType: 8, clockRate: 8000, telephoneEventPayloadType: 101, remoteAddress: '0.0.0.0', remotePort: 0, direction: 'sendrecv', onHold: false, ptime: 20 } as const;
      const rtp = await RtpSession.open('127.0.0.1', 0, placeholder);
      const negotiated = negotiateSdp(call.offer!, { address: '127.0.0.1', port: rtp.localPort, codecs: ['PCMU', 'PCMA'], sessionId: '1', sessionVersion: 1 });
      if (!negotiated.ok) return call.reject(488);
      rtp.update(negotiated.audio);
      call.answer(negotiated.answer);
      call.on('ended', () => rtp.close());
      const machine = new IvrStateMachine({
        checkPin: async (room, pin) => (room === ROOM && pin === MODERATOR_PIN ? 'moderator' : 'invalid'),
      });
      const menu = new PhoneMenu(call, rtp, new PromptPlayer(rtp, library), machine, {
        join: (entry) => {
          joins.push(entry);
          menu.notify({ type: 'joined', participantCount: 1 });
        },
        action: (action) => actions.push(action),
      });
      menus.push(menu);
      call.once('confirmed', () => menu.start());
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes room number and PIN, joins as moderator in English, and turns *6 and *5 into actions', async () => {
    const file = join(dir, 'join.xml');
    writeFileSync(file, menuScenario(`*${ROOM}#${MODERATOR_PIN}# *6*5`, 'caller-hangs-up'));
    const run = await runSipp({ scenario: file, port: server.port });
    expect(run.code, describe(run)).toBe(0);
    expect(joins).toEqual([{ roomNumber: ROOM, role: 'moderator', language: 'en' }]);
    expect(actions).toEqual(['toggle-mute', 'toggle-lock']);
  });

  it('says goodbye and hangs up (BYE from the gateway) after three wrong entries', async () => {
    const file = join(dir, 'wrong.xml');
    writeFileSync(file, menuScenario(`${ROOM}#111111#${ROOM}#222222#12#`, 'gateway-hangs-up'));
    const started = Date.now();
    const run = await runSipp({ scenario: file, port: server.port, timeoutSeconds: 20 });
    expect(run.code, describe(run)).toBe(0);
    expect(joins).toHaveLength(1);
    // The goodbye is played in full before the BYE: "invalid entry" and "Auf Wiederhören" last about two seconds.
    expect(Date.now() - started).toBeGreaterThan(1500);
  });
});
