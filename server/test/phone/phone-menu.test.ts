import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtpSession } from '@konferenz/sfu';
import { negotiateSdp, SipUserAgentServer, type NegotiatedAudio } from '@konferenz/sip';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { CallKeys } from '../../src/phone/call-keys';
import { IvrStateMachine } from '../../src/phone/ivr-state-machine';
import type { ConferenceAction } from '../../src/phone/phone-keypad';
import { PhoneMenu } from '../../src/phone/phone-menu';
import { PLACEHOLDER_MEDIA } from '../../src/phone/placeholder-media';
import { PromptLibrary } from '../../src/phone/prompt-library';
import { PromptPlayer } from '../../src/phone/prompt-player';
import { dialInScenario } from '@konferenz/testing/sipp-scenario';
import { describe, requireSipp, runSipp } from './support/sipp';

const ROOM = '47110815';
const MODERATOR_PIN = '583920';

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
    server = await SipUserAgentServer.start({ host: '127.0.0.1', port: 0, logger: new Logger('Sip') });
    const library = new PromptLibrary();
    server.on('call', async (call) => {
      const placeholder = { ...PLACEHOLDER_MEDIA, codec: 'PCMA', payloadType: 8 } as const;
      const rtp = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, placeholder);
      const negotiated = negotiateSdp(call.offer!, { address: '127.0.0.1', port: rtp.localPort, codecs: ['PCMU', 'PCMA'], sessionId: '1', sessionVersion: 1 });
      if (!negotiated.ok) return call.reject(488);
      rtp.update(negotiated.audio);
      call.answer(negotiated.answer);
      call.on('ended', () => rtp.close());
      const machine = new IvrStateMachine({
        checkPin: async (room, pin) => (room === ROOM && pin === MODERATOR_PIN ? 'moderator' : 'invalid'),
      });
      const menu = new PhoneMenu(call, new CallKeys(call, rtp), new PromptPlayer(rtp, library), machine, {
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
    writeFileSync(file, dialInScenario(`*${ROOM}#${MODERATOR_PIN}# *6*5`, { callerHangsUpAfterMs: 300 }, 'PCMA'));
    const run = await runSipp({ scenario: file, port: server.port });
    expect(run.code, describe(run)).toBe(0);
    expect(joins).toEqual([{ roomNumber: ROOM, role: 'moderator', language: 'en' }]);
    expect(actions).toEqual([{ type: 'toggle-mute' }, { type: 'toggle-lock' }]);
  });

  it('says goodbye and hangs up (BYE from the gateway) after three wrong entries', async () => {
    const file = join(dir, 'wrong.xml');
    writeFileSync(file, dialInScenario(`${ROOM}#111111#${ROOM}#222222#12#`, 'gateway-hangs-up', 'PCMA'));
    const started = Date.now();
    const run = await runSipp({ scenario: file, port: server.port, timeoutSeconds: 20 });
    expect(run.code, describe(run)).toBe(0);
    expect(joins).toHaveLength(1);
    // The goodbye is played in full before the BYE: "invalid entry" and "Auf Wiederhören" last about two seconds.
    expect(Date.now() - started).toBeGreaterThan(1500);
  });
});
