import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinResponse, ParticipantView, RoomSettingsInput } from '@konferenz/shared';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe as group, expect, it, vi } from 'vitest';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { dialInScenario, phoneCallerScenario } from '@konferenz/testing/sipp-scenario';
import { describe, requireSipp, runSipp, type SippRun } from './support/sipp';

/** Phone dial-in end to end: sipp → SIP gateway → phone menu → ConferenceService, watched by a socket.io moderator. */
group('phone dial-in', () => {
  let app: TestApp;
  let sipPort: number;
  let dir: string;
  const open: ConferenceParticipant[] = [];

  beforeAll(async () => {
    requireSipp();
    dir = mkdtempSync(join(tmpdir(), 'konferenz-dial-in-'));
    app = await startTestApp({ SIP_PORT: String(await freePort()), MODERATOR_GRACE_SECONDS: '1' });
    sipPort = app.app.get(PhoneGatewayService).port!;
    expect(sipPort).toBeGreaterThan(0);
  });
  afterEach(() => {
    for (const participant of open.splice(0)) participant.close();
  });
  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function room(settings?: RoomSettingsInput) {
    const { client, roomNumber } = await customerWithRoom(app);
    if (settings) await client.put('/api/account/room-settings', settings);
    const moderator = async () => {
      const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' })).body;
      const participant = await ConferenceParticipant.connect(app.url, joined.token);
      open.push(participant);
      return participant;
    };
    return { roomNumber, moderator };
  }

  function dial(name: string, scenario: string, timeoutSeconds = 40): Promise<SippRun> {
    const file = join(dir, `${name}.xml`);
    writeFileSync(file, scenario);
    return runSipp({ scenario: file, port: sipPort, timeoutSeconds });
  }

  const phoneIn = (list: ParticipantView[]) => list.find((participant) => participant.via === 'phone');

  it("puts the caller on the moderator's waiting list as a masked number, admits, mutes, and drops it on BYE", async () => {
    const conference = await room({ admission: 'manual', moderatorLeaves: 'continue' });
    const moderator = await conference.moderator();
    const call = dial('manual', dialInScenario(`${conference.roomNumber}#${PARTICIPANT_PIN}#`, { callerHangsUpAfterMs: 8000 }));

    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 10_000);
    const phone = phoneIn(waiting.waiting)!;
    expect(phone).toMatchObject({ displayName: '+49 … 111', role: 'participant', state: 'waiting', via: 'phone' });

    expect(await moderator.request('moderator:admit', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    // Admitted, with the audio bridge's microphone in the room.
    await moderator.waitForState((state) => phoneIn(state.participants)?.microphone === 'on', 10_000);

    expect(await moderator.request('moderator:mute', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    const muted = await moderator.waitForState((state) => phoneIn(state.participants)?.microphone === 'muted');
    expect(phoneIn(muted.participants)).toMatchObject({ id: phone.id, mutedByModerator: true });

    const run = await call;
    expect(run.code, describe(run)).toBe(0);
    const after = await moderator.waitForState((state) => !state.participants.some((p) => p.id === phone.id));
    expect(after.waiting).toEqual([]);
  });

  it('muted by the moderator while waiting, the caller comes in with its microphone paused', async () => {
    const conference = await room({ admission: 'manual', moderatorLeaves: 'continue' });
    const moderator = await conference.moderator();
    const call = dial('muted-waiting', dialInScenario(`${conference.roomNumber}#${PARTICIPANT_PIN}#`, { callerHangsUpAfterMs: 6000 }));
    const phone = phoneIn((await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 10_000)).waiting)!;
    expect(await moderator.request('moderator:mute', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    expect(await moderator.request('moderator:admit', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    const admitted = await moderator.waitForState((state) => phoneIn(state.participants)?.microphone === 'muted', 10_000);
    expect(phoneIn(admitted.participants)).toMatchObject({ id: phone.id, mutedByModerator: true });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
  });

  it('holds the caller until the moderator arrives, then admits it; ending the conference hangs up the phone', async () => {
    const conference = await room();
    const call = dial('auto', dialInScenario(`${conference.roomNumber}#${PARTICIPANT_PIN}#`, 'gateway-hangs-up'));
    // Let the caller get through the menu into the waiting room before the moderator comes.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const moderator = await conference.moderator();
    const admitted = await moderator.waitForState((state) => phoneIn(state.participants)?.microphone === 'on', 10_000);
    expect(phoneIn(admitted.participants)).toMatchObject({ displayName: '+49 … 111', state: 'admitted', via: 'phone' });

    expect(await moderator.request('moderator:end', {})).toMatchObject({ ok: true });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
  });

  it('with the moderator PIN, the caller opens the room as moderator', async () => {
    const conference = await room();
    const call = dial('moderator', dialInScenario(`${conference.roomNumber}#${MODERATOR_PIN}#`, { callerHangsUpAfterMs: 4000 }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const joined: JoinResponse = (
      await app.client().post('/api/conference/join', { roomNumber: conference.roomNumber, pin: PARTICIPANT_PIN, displayName: 'Gast' })
    ).body;
    const guest = await ConferenceParticipant.connect(app.url, joined.token);
    open.push(guest);
    // A phone moderator admits the guest at once.
    const state = await guest.waitForState((s) => s.self.state === 'admitted' && phoneIn(s.participants) !== undefined, 10_000);
    expect(phoneIn(state.participants)).toMatchObject({ role: 'moderator', via: 'phone' });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
  });

  it('dialled as sip:<room>@gateway, the caller keys only the PIN (a wrong one first: it is asked again); one log line at set-up and one at the end', async () => {
    const logged = vi.spyOn(Logger.prototype, 'log');
    const conference = await room({ admission: 'manual', moderatorLeaves: 'continue' });
    const moderator = await conference.moderator();
    const scenario = phoneCallerScenario({
      dialled: conference.roomNumber,
      // Each entry after its prompt has begun: a wrong PIN, then the right one.
      keys: `   111111#     ${PARTICIPANT_PIN}#`,
      end: { callerHangsUpAfterMs: 6000 },
    });
    const call = dial('dialled-room', scenario);
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 20_000);
    expect(phoneIn(waiting.waiting)).toMatchObject({ role: 'participant', state: 'waiting', via: 'phone' });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
    const phoneLines = () => logged.mock.calls.map(([message]) => String(message)).filter((line) => line.startsWith('Phone call '));
    await vi.waitFor(() =>
      expect(phoneLines()).toContainEqual(
        expect.stringMatching(new RegExp(`^Phone call \\S+ ended \\(remote-bye\\) in room ${conference.roomNumber} after \\d+ s$`)),
      ),
    );
    expect(phoneLines()).toContainEqual(
      expect.stringMatching(
        new RegExp(`^Phone call \\S+ from \\+49 … 111 at 127\\.0\\.0\\.1, dialled ${conference.roomNumber}: PCMU, keys by RFC 4733 \\(and SIP INFO\\)$`),
      ),
    );
    logged.mockRestore();
  });

  // Last: closing a second app in this process disconnects the shared mongoose client.
  it('starts without phones (a warning, no crash) when the SIP port is taken', async () => {
    const second = await startTestApp({ SIP_PORT: String(sipPort) });
    try {
      expect(second.app.get(PhoneGatewayService).port).toBeNull();
      expect((await second.client().get('/api/auth/session')).status).toBeLessThan(500);
    } finally {
      await second.close();
    }
  });
});
