import type { JoinResponse, RoomSettingsInput } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConferenceService } from '../../src/conference/conference.service';
import { freePort } from '../../src/embedded/free-port';
import type { PromptKey } from '../../src/phone/ivr-state-machine';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { goertzelPower } from '@konferenz/testing/tone-power';
import { levelDb, OpusPhone } from './support/opus-phone';
import { recordPrompts, watchPhoneConnections, type PhoneConnection } from './support/phone-observation';

/** The two notes of the entry and exit tones (presence-tones.ts). */
const LOW_HZ = 587;
const HIGH_HZ = 880;
/** 20 ms of the Opus phone's 48 kHz audio. */
const FRAME = 960;
/** Long enough for a change to be gathered (0.5 s), its tone (0.27 s) played and received. */
const TONE_WAIT_MS = 1500;
/** The longest a tone that is due may take to be heard. */
const TONE_BOUND_MS = 6000;

/** Of a 20 ms frame's energy, the share in one frequency: about 1 for a pure tone, far less for speech. */
function purity(frame: Int16Array, hz: number): number {
  let energy = 0;
  for (const sample of frame) energy += sample * sample;
  return energy === 0 ? 0 : goertzelPower(frame, hz, 48000) / ((energy * frame.length) / 2);
}

/**
 * The notes heard in `samples` (48 kHz), in order: each run of at least three 20 ms frames that
 * are (nearly) a pure tone of one of the two notes, as that note once. Speech, even at those
 * pitches, is no pure tone.
 */
function notesIn(samples: Int16Array): number[] {
  const notes: number[] = [];
  let run = { note: 0, frames: 0 };
  for (let offset = 0; offset + FRAME <= samples.length; offset += FRAME) {
    const frame = samples.subarray(offset, offset + FRAME);
    const note = levelDb(frame) > -50 ? ([LOW_HZ, HIGH_HZ].find((hz) => purity(frame, hz) > 0.5) ?? 0) : 0;
    run = note === run.note ? { note, frames: run.frames + 1 } : { note, frames: 1 };
    if (note && run.frames === 3) notes.push(note);
  }
  return notes;
}

/** The level of the loudest 20 ms frame in `samples`, in dBFS RMS. */
function loudestFrameDb(samples: Int16Array): number {
  let loudest = -Infinity;
  for (let offset = 0; offset + FRAME <= samples.length; offset += FRAME) loudest = Math.max(loudest, levelDb(samples.subarray(offset, offset + FRAME)));
  return loudest;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What callers hear of the conference around them, through the whole app: an Opus softphone
 * (hand-written UAC over UDP, telephone-events for its keys, every RTP packet it gets recorded
 * and decoded) dials in; browsers (Socket.IO participants) come and go. The tones are found in
 * the decoded audio by their frequencies, the prompts by what the gateway played and by the
 * audio's level while they play.
 */
describe('what callers hear: entry and exit tones, the moderator leaving, the help on *0 (Opus softphone against the whole app)', () => {
  let app: TestApp;
  let sipPort: number;
  let phones: PhoneConnection[];
  let prompts: PromptKey[][];
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    app = await startTestApp({ SIP_PORT: String(await freePort()) });
    sipPort = app.app.get(PhoneGatewayService).port!;
    phones = watchPhoneConnections(app.app.get(ConferenceService));
    prompts = recordPrompts();
  });
  afterEach(() => {
    for (const party of open.splice(0)) party.close();
    prompts.splice(0);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
  });

  async function room(settings: RoomSettingsInput) {
    const { client, roomNumber } = await customerWithRoom(app);
    expect((await client.put('/api/account/room-settings', settings)).status).toBe(200);
    return roomNumber;
  }

  async function browser(roomNumber: string, pin: string, displayName: string): Promise<ConferenceParticipant> {
    const joined = await app.client().post<JoinResponse>('/api/conference/join', { roomNumber, pin, displayName });
    const participant = await ConferenceParticipant.connect(app.url, joined.body.token);
    open.push(participant);
    return participant;
  }

  /** A caller in `roomNumber` with `pin`, seated, its bridge in the room, and done listening to its first prompts. */
  async function caller(roomNumber: string, pin: string, number: string): Promise<{ phone: OpusPhone; said: () => PromptKey[] }> {
    const phone = await OpusPhone.open(sipPort, number);
    open.push(phone);
    // One caller at a time: the next list of prompts is this call's.
    const index = prompts.length;
    await phone.call();
    await phone.press(`${roomNumber}#${pin}#`);
    await vi.waitFor(
      () => {
        const connection = phones.find((candidate) => candidate.claims.room === roomNumber && candidate.claims.name.endsWith(number.slice(-3)));
        expect(connection?.states.at(-1)?.self).toMatchObject({ state: 'admitted', microphone: 'on' });
      },
      { timeout: 20_000, interval: 50 },
    );
    const said = () => prompts[index] ?? [];
    await untilQuiet(phone);
    return { phone, said };
  }

  /** The prompts are over: the last 300 ms received are silence (the room's mix of nobody speaking). */
  async function untilQuiet(phone: OpusPhone): Promise<void> {
    await vi.waitFor(() => expect(levelDb(phone.decode(performance.now() - 300))).toBeLessThan(-50), { timeout: 20_000, interval: 100 });
  }

  it('a caller hears a rising tone when a browser enters and a falling one when it leaves, nothing for its own entry; its first words end with the help hint', async () => {
    const roomNumber = await room({ admission: 'all-on-moderator', moderatorLeaves: 'continue' });
    const { phone, said } = await caller(roomNumber, MODERATOR_PIN, '+4930101');
    expect(said()).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin', 'de/only-participant', 'de/help-hint']);
    expect(notesIn(phone.decode())).toEqual([]);

    const entered = performance.now();
    const anna = await browser(roomNumber, PARTICIPANT_PIN, 'Anna');
    await anna.waitForState((state) => state.self.state === 'admitted');
    // On a busy machine the tone can come later than TONE_WAIT_MS: wait for it, up to a bound.
    await vi.waitFor(() => expect(notesIn(phone.decode(entered))).toEqual([LOW_HZ, HIGH_HZ]), { timeout: TONE_BOUND_MS, interval: 100 });
    // Quiet: below the spoken prompts (about −25 dBFS RMS), well above silence.
    expect(loudestFrameDb(phone.decode(entered))).toBeLessThan(-25);
    expect(loudestFrameDb(phone.decode(entered))).toBeGreaterThan(-35);

    // The entry tone is over before Anna leaves: its last notes are not taken for the exit's.
    await untilQuiet(phone);
    const left = performance.now();
    expect(await anna.request('conference:leave', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(notesIn(phone.decode(left))).toEqual([HIGH_HZ, LOW_HZ]), { timeout: TONE_BOUND_MS, interval: 100 });
    expect(said().slice(5)).toEqual(['tones/entry', 'tones/exit']);
    expect(await phone.hangUp()).toBe(200);
  });

  it('three browsers let in from the waiting room at once are one tone; with the setting off the caller hears none', async () => {
    for (const entryExitTones of [true, false]) {
      const roomNumber = await room({ admission: 'manual', moderatorLeaves: 'continue', entryExitTones });
      const { phone, said } = await caller(roomNumber, MODERATOR_PIN, entryExitTones ? '+4930202' : '+4930303');
      const guests = await Promise.all(['A', 'B', 'C'].map((name) => browser(roomNumber, PARTICIPANT_PIN, name)));
      await vi.waitFor(() => expect(phones.find((p) => p.claims.room === roomNumber)?.states.at(-1)?.waitingCount).toBe(3), { timeout: 5000, interval: 50 });
      const admitted = performance.now();
      // The caller is the moderator: *… has no admit key, so a second moderator (a browser) admits them.
      const host = await browser(roomNumber, MODERATOR_PIN, 'Moderatorin');
      await sleep(TONE_WAIT_MS);
      expect(await host.request('moderator:admitAll', {})).toMatchObject({ ok: true });
      await Promise.all(guests.map((guest) => guest.waitForState((state) => state.self.state === 'admitted')));
      await sleep(TONE_WAIT_MS);
      const heard = notesIn(phone.decode(admitted));
      // The host's own entry, then the three guests together: one tone each.
      expect(heard).toEqual(entryExitTones ? [LOW_HZ, HIGH_HZ, LOW_HZ, HIGH_HZ] : []);
      expect(said().filter((key) => key.startsWith('tones/'))).toEqual(entryExitTones ? ['tones/entry', 'tones/entry'] : []);
      expect(await phone.hangUp()).toBe(200);
    }
  });

  it("a caller hears that the moderator left ('continue'), and the keys of its role on *0", async () => {
    const roomNumber = await room({ admission: 'all-on-moderator', moderatorLeaves: 'continue' });
    const moderator = await browser(roomNumber, MODERATOR_PIN, 'Moderatorin');
    const { phone, said } = await caller(roomNumber, PARTICIPANT_PIN, '+4930404');
    // Arrived into a running conference: nothing said.
    expect(said().slice(3)).toEqual([]);

    const leaving = performance.now();
    expect(await moderator.request('conference:leave', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(said()).toContain('de/moderator-left'), { timeout: 5000, interval: 50 });
    await sleep(1000);
    // Speech, at the prompts' level, and no exit tone for the moderator (the prompt says it).
    expect(loudestFrameDb(phone.decode(leaving))).toBeGreaterThan(-25);
    await untilQuiet(phone);
    expect(notesIn(phone.decode(leaving))).toEqual([]);
    expect(said().slice(3)).toEqual(['de/moderator-left']);

    const help = performance.now();
    await phone.press('*0');
    await vi.waitFor(() => expect(said()).toContain('de/help-intro'), { timeout: 5000, interval: 50 });
    expect(said().slice(4)).toEqual(['de/help-intro', 'de/help-hand', 'de/help-mute', 'de/help-count']);
    await sleep(2000);
    expect(loudestFrameDb(phone.decode(help))).toBeGreaterThan(-25);
    expect(await phone.hangUp()).toBe(200);
  });

  it("a caller sent back to the waiting room ('back-to-waiting') hears that the moderator left and waits for one to return", async () => {
    const roomNumber = await room({ admission: 'all-on-moderator', moderatorLeaves: 'back-to-waiting' });
    const moderator = await browser(roomNumber, MODERATOR_PIN, 'Moderatorin');
    const { phone, said } = await caller(roomNumber, PARTICIPANT_PIN, '+4930505');
    expect(await moderator.request('conference:leave', {})).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(said().slice(3, 6)).toEqual(['de/moderator-left', 'de/waiting-for-moderator-return', 'hold-music']), {
      timeout: 5000,
      interval: 50,
    });
    expect(await phone.hangUp()).toBe(200);
  });
});
