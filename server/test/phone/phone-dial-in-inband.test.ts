import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinResponse, ParticipantView } from '@konferenz/shared';
import { phoneCallerScenario, type CallEnd } from '@konferenz/testing/sipp-scenario';
import { afterAll, afterEach, beforeAll, describe as group, expect, it, vi } from 'vitest';
import { freePort } from '../../src/embedded/free-port';
import type { PromptKey } from '../../src/phone/ivr-state-machine';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { recordKeyTones } from './support/inband-key-tones';
import { recordPrompts } from './support/phone-observation';
import { describe, requireSipp, runSipp } from './support/sipp';

/**
 * Callers whose keys are DTMF tones in their G.711 audio (an analog gateway, a trunk that strips
 * RFC 4733): sipp offers PCMU without telephone-events and plays an RTP stream with the tones;
 * the whole product hears them. And a phone that sends each key both ways is heard once per key.
 */
group('phone dial-in by in-band DTMF (sipp against the whole app)', () => {
  let app: TestApp;
  let sipPort: number;
  let dir: string;
  let prompts: PromptKey[][];
  const open: ConferenceParticipant[] = [];

  beforeAll(async () => {
    requireSipp();
    dir = mkdtempSync(join(tmpdir(), 'konferenz-dial-in-inband-'));
    app = await startTestApp({ SIP_PORT: String(await freePort()) });
    sipPort = app.app.get(PhoneGatewayService).port!;
    expect(sipPort).toBeGreaterThan(0);
    prompts = recordPrompts();
  });
  afterEach(() => {
    for (const participant of open.splice(0)) participant.close();
    prompts.splice(0);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function moderatorOf(roomNumber: string): Promise<ConferenceParticipant> {
    const joined = await app.client().post<JoinResponse>('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' });
    const moderator = await ConferenceParticipant.connect(app.url, joined.body.token);
    open.push(moderator);
    return moderator;
  }

  const phoneNamed = (list: ParticipantView[], displayName: string) =>
    list.find((participant) => participant.via === 'phone' && participant.displayName === displayName);

  function call(name: string, keys: string, options: { caller: string; telephoneEvents: boolean; end: CallEnd }) {
    const folder = join(dir, name);
    mkdirSync(folder);
    const audio = recordKeyTones(folder, keys, { alsoTelephoneEvents: options.telephoneEvents });
    const scenario = join(folder, 'scenario.xml');
    writeFileSync(scenario, phoneCallerScenario({ keys: audio, end: options.end, caller: options.caller, telephoneEvents: options.telephoneEvents }));
    return runSipp({ scenario, port: sipPort, timeoutSeconds: 90 });
  }

  it('PCMU without telephone-events: room number, #, PIN, # as tones let the caller in; *6 as tones mutes it', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const moderator = await moderatorOf(roomNumber);
    // Six seconds of silence after the entry: the caller's audio bridge is in the room before *6.
    const keys = `${roomNumber}#${PARTICIPANT_PIN}#${' '.repeat(12)}*6`;
    const run = call('tones-only', keys, { caller: '+4930222', telephoneEvents: false, end: { callerHangsUpAfterMs: 4000 } });

    const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 222')?.microphone === 'on', 30_000);
    expect(phoneNamed(seated.participants, '+49 … 222')).toMatchObject({ role: 'participant', state: 'admitted' });
    await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 222')?.microphone === 'muted', 30_000);

    const done = await run;
    expect(done.code, describe(done)).toBe(0);
    expect(prompts[0]).toEqual(expect.arrayContaining(['de/welcome', 'de/enter-room-number', 'de/enter-pin', 'de/muted']));
    expect(prompts[0]!.filter((key) => key.endsWith('/invalid-entry'))).toEqual([]);
  });

  it('each key as RFC 4733 events and as tones counts once: the entry is taken at the first try', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const moderator = await moderatorOf(roomNumber);
    const run = call('both-ways', `${roomNumber}#${PARTICIPANT_PIN}#`, { caller: '+4930333', telephoneEvents: true, end: { callerHangsUpAfterMs: 5000 } });

    const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 333')?.microphone === 'on', 30_000);
    expect(phoneNamed(seated.participants, '+49 … 333')).toMatchObject({ role: 'participant', state: 'admitted' });
    const done = await run;
    expect(done.code, describe(done)).toBe(0);
    // A key counted twice would have made the room number or PIN wrong: asked again, "invalid".
    expect(prompts[0]).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin']);
  });
});
