import type { JoinResponse, RoomSettingsInput } from '@konferenz/shared';
import { beforeAll, describe as group, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../src/config/app-config';
import { APP_CONFIG } from '../../src/config/config.module';
import { ConferenceService } from '../../src/conference/conference.service';
import type { PromptKey } from '../../src/phone/ivr-state-machine';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { phoneNamed, useDialInApp } from './support/dial-in-app';
import { callIn } from './support/phone-caller';
import { watchPhoneConnections, type PhoneConnection } from './support/phone-observation';
import { describe } from './support/sipp';

/** A well-formed PIN that is neither of the room's. */
const WRONG_PIN = '111111';
/** Wrong entries the phone menu allows per call before it says goodbye. */
const MENU_TRIES = 3;

/**
 * The issue's sipp scenarios through the whole product: sipp dials the real SIP gateway and keys
 * room number and PIN as RFC 4733 telephone-events (or SIP INFO); RoomAccess checks the PIN with
 * the browsers' limiter; ConferenceService seats the caller; the mediasoup bridge carries its
 * audio. What happened is read from the server itself: the moderator's participant list, the
 * states ConferenceService sends the phone, and the prompts the gateway played.
 */
group('phone dial-in by DTMF (sipp against the whole app)', () => {
  const dialIn = useDialInApp('konferenz-dial-in-dtmf-');
  const { prompts, open, moderatorOf } = dialIn;
  let phones: PhoneConnection[];

  beforeAll(() => {
    phones = watchPhoneConnections(dialIn.app.app.get(ConferenceService));
  });

  async function room(settings?: RoomSettingsInput) {
    const { client, roomNumber } = await customerWithRoom(dialIn.app);
    if (settings) expect((await client.put('/api/account/room-settings', settings)).status).toBe(200);
    return { roomNumber, entry: (pin: string) => `${roomNumber}#${pin}#` };
  }

  async function browserJoin(roomNumber: string, pin: string, displayName: string) {
    return dialIn.app.client().post<JoinResponse>('/api/conference/join', { roomNumber, pin, displayName });
  }

  const phoneIn = (roomNumber: string) => phones.find((phone) => phone.claims.room === roomNumber);

  it.each(['rfc4733', 'sip-info'] as const)(
    '%s: keys room number and PIN, is admitted as a masked participant while the moderator is there, stays, and is gone after its BYE',
    async (dtmf) => {
      const { roomNumber, entry } = await room();
      const moderator = await moderatorOf(roomNumber);
      const call = callIn(dialIn.dir, dialIn.sipPort, dtmf, { dtmf, keys: entry(PARTICIPANT_PIN), end: { callerHangsUpAfterMs: 5000 } });

      // Microphone 'on': the caller's audio bridge has its producer in the room's mediasoup router.
      const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 111')?.microphone === 'on', 20_000);
      expect(phoneNamed(seated.participants, '+49 … 111')).toMatchObject({ role: 'participant', state: 'admitted' });
      expect(phoneIn(roomNumber)?.claims).toMatchObject({ role: 'participant', name: '+49 … 111' });
      // Let in at once: never on the waiting list, neither as the moderator nor as the phone saw it.
      expect(moderator.states.every((state) => state.waiting.length === 0)).toBe(true);
      expect(phoneIn(roomNumber)!.states.map((state) => state.self.state)).not.toContain('waiting');

      const run = await call;
      expect(run.code, describe(run)).toBe(0);
      const after = await moderator.waitForState((state) => !state.participants.some((participant) => participant.via === 'phone'));
      expect(after.waiting).toEqual([]);
      expect(prompts[0]).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin']);
    },
  );

  it('RFC 4733, wrong PINs: "invalid" each time, goodbye and BYE after the third; enough of them lock that caller id and that address out of the room across calls, nobody else', async () => {
    const { failuresPerSource } = dialIn.app.app.get<AppConfig>(APP_CONFIG).pinLimits;
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    const guesser = '+4930333';

    // The whole per-source budget of wrong PINs from one caller id, spread over calls of at most three tries, at once.
    const wrongPerCall = Array.from({ length: Math.ceil(failuresPerSource / MENU_TRIES) }, (_, call) =>
      Math.min(MENU_TRIES, failuresPerSource - call * MENU_TRIES),
    );
    const guesses = await Promise.all(
      wrongPerCall.map((wrong, call) =>
        callIn(dialIn.dir, dialIn.sipPort, `guess-${call}`, {
          dtmf: 'rfc4733',
          caller: guesser,
          keys: entry(WRONG_PIN).repeat(wrong),
          // After its third try the gateway hangs up; a caller with tries left gives up on its own.
          end: wrong === MENU_TRIES ? 'gateway-hangs-up' : { callerHangsUpAfterMs: 2000 },
        }),
      ),
    );
    for (const run of guesses) expect(run.code, describe(run)).toBe(0);
    expect(prompts).toHaveLength(wrongPerCall.length);
    expect(prompts).toEqual(expect.arrayContaining(wrongPerCall.map(saidAfterWrongPins)));
    prompts.splice(0);

    // Now even the right PIN is refused, at the first try, to that caller id from another address
    // and to another caller id from that address (a From number is whatever the caller writes);
    // another number from another address gets in.
    const lockedOut = callIn(dialIn.dir, dialIn.sipPort, 'locked-out', {
      dtmf: 'rfc4733',
      caller: guesser,
      address: '127.0.0.2',
      keys: entry(PARTICIPANT_PIN),
      end: 'gateway-hangs-up',
    });
    const sameSource = callIn(dialIn.dir, dialIn.sipPort, 'same-source', {
      dtmf: 'rfc4733',
      caller: '+4930555',
      keys: entry(PARTICIPANT_PIN),
      end: 'gateway-hangs-up',
    });
    const other = callIn(dialIn.dir, dialIn.sipPort, 'other-number', {
      dtmf: 'rfc4733',
      caller: '+4930444',
      address: '127.0.0.3',
      keys: entry(PARTICIPANT_PIN),
      end: { callerHangsUpAfterMs: 3000 },
    });
    await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 444')?.state === 'admitted', 20_000);
    for (const run of await Promise.all([lockedOut, sameSource, other])) expect(run.code, describe(run)).toBe(0);
    expect(prompts).toHaveLength(3);
    expect(prompts).toEqual(
      expect.arrayContaining([
        ['de/welcome', 'de/enter-room-number', 'de/enter-pin', 'de/invalid-entry', 'de/goodbye'],
        ['de/welcome', 'de/enter-room-number', 'de/enter-pin', 'de/invalid-entry', 'de/goodbye'],
        ['de/welcome', 'de/enter-room-number', 'de/enter-pin'],
      ]),
    );
    expect(moderator.states.some((state) => [...state.participants, ...state.waiting].some((p) => p.displayName === '+49 … 333'))).toBe(false);
    expect(phones.filter((phone) => phone.claims.room === roomNumber).map((phone) => phone.claims.name)).toEqual(['+49 … 444']);
    // The room itself stayed open (the caller from 127.0.0.3 got in); a browser on 127.0.0.1 would
    // share that address's budget with the phones there, so it is no other source here.
  });

  it('RFC 4733, before the moderator: the caller waits (on the waiting list, via phone) and is admitted when the moderator arrives', async () => {
    const { roomNumber, entry } = await room();
    const call = callIn(dialIn.dir, dialIn.sipPort, 'early', { dtmf: 'rfc4733', caller: '+4930555', keys: entry(PARTICIPANT_PIN), end: 'gateway-hangs-up' });

    await vi.waitFor(() => expect(phoneIn(roomNumber)?.states.at(-1)?.self.state).toBe('waiting'), { timeout: 20_000, interval: 50 });
    expect(phoneIn(roomNumber)!.states.at(-1)).toMatchObject({
      self: { displayName: '+49 … 555', role: 'participant', state: 'waiting', via: 'phone' },
      waitingCount: 1,
      moderatorPresent: false,
    });

    const moderator = await moderatorOf(roomNumber);
    const admitted = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 555')?.microphone === 'on', 20_000);
    expect(phoneNamed(admitted.participants, '+49 … 555')).toMatchObject({ role: 'participant', state: 'admitted' });
    expect(phoneIn(roomNumber)!.states.at(-1)?.self.state).toBe('admitted');

    // Ending the conference says goodbye to the phone and hangs it up, which sipp waits for.
    expect(await moderator.request('moderator:end', {})).toMatchObject({ ok: true });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
    expect(prompts[0]).toEqual(expect.arrayContaining(['de/waiting-for-moderator', 'de/conference-starts', 'de/conference-ended', 'de/goodbye']));
  });

  /** The prompts of one call that are about the conference, in the order they were said. */
  const conferenceNews = (said: PromptKey[] | undefined) =>
    (said ?? []).filter((key) =>
      /\/(muted|unmuted|participant-count-before|numbers\/\d+|participant-count-after|conference-locked|conference-unlocked|hand-raised|hand-lowered)$/.test(
        key,
      ),
    );
  /** Seconds of silence between keys (SIP INFO), long enough for the caller's audio bridge to be in the room. */
  const pause = (seconds: number) => ' '.repeat(seconds * 2);

  it("the caller's keys: *6 mutes and unmutes (each said, and seen by the moderator), *# says how many are there", async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    const keys = `${entry(PARTICIPANT_PIN)}${pause(6)}*6${pause(3)}*6${pause(3)}*#`;
    const run = await callIn(dialIn.dir, dialIn.sipPort, 'keypad', { dtmf: 'sip-info', caller: '+4930888', keys, end: { callerHangsUpAfterMs: 4000 } });
    expect(run.code, describe(run)).toBe(0);
    const microphones = moderator.states.map((state) => phoneNamed(state.participants, '+49 … 888')?.microphone).filter(Boolean);
    expect(microphones.slice(microphones.indexOf('muted'))).toContain('on');
    expect(conferenceNews(prompts[0])).toEqual(['de/muted', 'de/unmuted', 'de/participant-count-before', 'de/numbers/2', 'de/participant-count-after']);
  });

  it("the moderator's mute is said to the caller", async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    const call = callIn(dialIn.dir, dialIn.sipPort, 'muted-by-moderator', {
      dtmf: 'sip-info',
      caller: '+4930999',
      keys: entry(PARTICIPANT_PIN),
      end: { callerHangsUpAfterMs: 8000 },
    });
    const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 999')?.microphone === 'on', 20_000);
    expect(await moderator.request('moderator:mute', { participantId: phoneNamed(seated.participants, '+49 … 999')!.id })).toMatchObject({ ok: true });
    await vi.waitFor(() => expect(conferenceNews(prompts[0])).toEqual(['de/muted']), { timeout: 5_000, interval: 50 });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
  });

  it("muted on entry by the room's setting: the caller hears 'muted', the moderator sees why, and *6 unmutes it", async () => {
    const { roomNumber, entry } = await room({ admission: 'all-on-moderator', moderatorLeaves: 'continue', muteOnEntry: { mode: 'all' } });
    const moderator = await moderatorOf(roomNumber);
    const keys = `${entry(PARTICIPANT_PIN)}${pause(6)}*6`;
    const run = await callIn(dialIn.dir, dialIn.sipPort, 'muted-on-entry', { dtmf: 'sip-info', caller: '+4930777', keys, end: { callerHangsUpAfterMs: 3000 } });
    expect(run.code, describe(run)).toBe(0);
    const phone = moderator.states.map((state) => phoneNamed(state.participants, '+49 … 777')).filter((view) => view?.microphone);
    const muted = phone.findIndex((view) => view!.microphone === 'muted');
    expect(phone[muted]).toMatchObject({ mutedOnEntry: true, mutedByModerator: false });
    expect(phone.slice(muted).at(-1)).toMatchObject({ microphone: 'on', mutedOnEntry: false });
    expect(conferenceNews(prompts[0])).toEqual(['de/muted', 'de/unmuted']);
  });

  it('a moderator by phone: *5 locks the room and *5 again unlocks it, each said and seen in the browsers', async () => {
    const { roomNumber, entry } = await room();
    const browser = await moderatorOf(roomNumber);
    const keys = `${entry(MODERATOR_PIN)}${pause(6)}*5${pause(3)}*5`;
    const run = await callIn(dialIn.dir, dialIn.sipPort, 'phone-moderator', {
      dtmf: 'sip-info',
      caller: '+4930444',
      keys,
      end: { callerHangsUpAfterMs: 3000 },
    });
    expect(run.code, describe(run)).toBe(0);
    const locks = browser.states.map((state) => state.locked);
    expect(locks.slice(locks.indexOf(true))).toContain(false);
    expect(conferenceNews(prompts[0])).toEqual(['de/conference-locked', 'de/conference-unlocked']);
  });

  it('raise hand by phone: *3 raises it (said, and seen by the browsers with the time it went up), *3 again lowers it', async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    const keys = `${entry(PARTICIPANT_PIN)}${pause(6)}*3${pause(3)}*3`;
    const run = await callIn(dialIn.dir, dialIn.sipPort, 'raise-hand', { dtmf: 'sip-info', caller: '+4930321', keys, end: { callerHangsUpAfterMs: 3000 } });
    expect(run.code, describe(run)).toBe(0);
    const hands = moderator.states
      .map((state) => phoneNamed(state.participants, '+49 … 321')?.attributes.hand)
      .filter((hand, index, all) => index === 0 || hand !== all[index - 1]);
    expect(hands).toEqual([undefined, expect.stringMatching(/^\d{13}$/), undefined]);
    expect(conferenceNews(prompts[0])).toEqual(['de/hand-raised', 'de/hand-lowered']);
  });

  it("a moderator lowers a caller's raised hand in the browser; the caller's next *3 raises it again", async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    const keys = `${entry(PARTICIPANT_PIN)}${pause(6)}*3${pause(6)}*3`;
    const call = callIn(dialIn.dir, dialIn.sipPort, 'hand-lowered-by-moderator', {
      dtmf: 'sip-info',
      caller: '+4930654',
      keys,
      end: { callerHangsUpAfterMs: 3000 },
    });
    const raised = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 654')?.attributes.hand !== undefined, 20_000);
    const caller = phoneNamed(raised.participants, '+49 … 654')!;
    expect(await moderator.request('moderator:clearAttributes', { participantId: caller.id })).toMatchObject({ ok: true });
    await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 654')?.attributes.hand === undefined, 5_000);
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
    const hands = moderator.states.map((state) => phoneNamed(state.participants, '+49 … 654')?.attributes.hand !== undefined);
    expect(hands.filter((up, index) => index === 0 || up !== hands[index - 1])).toEqual([false, true, false, true, false]);
    expect(conferenceNews(prompts[0])).toEqual(['de/hand-raised', 'de/hand-raised']);
  });

  it('a locked room: the caller with the right PIN hears that the room is locked, goodbye, and is hung up', async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    expect(await moderator.request('moderator:setLocked', { locked: true })).toMatchObject({ ok: true });
    const run = await callIn(dialIn.dir, dialIn.sipPort, 'locked-room', {
      dtmf: 'rfc4733',
      caller: '+4930666',
      keys: entry(PARTICIPANT_PIN),
      end: 'gateway-hangs-up',
    });
    expect(run.code, describe(run)).toBe(0);
    expect(prompts[0]).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin', 'de/room-locked', 'de/goodbye']);
    expect(moderator.states.some((state) => [...state.participants, ...state.waiting].some((p) => p.via === 'phone'))).toBe(false);
  });

  it('admission by hand: with the moderator there, the caller is told the moderator will let them in (not that nobody is there)', async () => {
    const { roomNumber, entry } = await room();
    const moderator = await moderatorOf(roomNumber);
    // The room admits by hand from the moment the moderator screens newcomers: after removing a guest.
    const joined = (await browserJoin(roomNumber, PARTICIPANT_PIN, 'Störer')).body;
    open.push(await ConferenceParticipant.connect(dialIn.app.url, joined.token));
    await moderator.waitForState((state) => state.participants.some((p) => p.id === joined.participantId));
    expect(await moderator.request('moderator:remove', { participantId: joined.participantId })).toMatchObject({ ok: true });
    await moderator.waitForState((state) => state.screeningNewcomers);
    const call = callIn(dialIn.dir, dialIn.sipPort, 'manual', { dtmf: 'rfc4733', caller: '+4930777', keys: entry(PARTICIPANT_PIN), end: 'gateway-hangs-up' });

    const waiting = await moderator.waitForState((state) => phoneNamed(state.waiting, '+49 … 777') !== undefined, 20_000);
    await vi.waitFor(() => expect(prompts.flat()).toContain('de/waiting-for-admission'), { timeout: 10_000, interval: 50 });
    expect(prompts.flat()).not.toContain('de/waiting-for-moderator');

    await moderator.request('moderator:admit', { participantId: phoneNamed(waiting.waiting, '+49 … 777')!.id });
    await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 777')?.state === 'admitted', 20_000);
    // Ending while the phone's audio bridge is still being set up: the moderator still gets the answer.
    expect(await moderator.request('moderator:end', {})).toMatchObject({ ok: true });
    const run = await call;
    expect(run.code, describe(run)).toBe(0);
    expect(prompts.flat()).toEqual(expect.arrayContaining(['de/conference-starts', 'de/conference-ended']));
  });
});

/** What the menu says to a caller who keys `wrong` wrong PINs: "invalid" after each, goodbye after the last try. */
function saidAfterWrongPins(wrong: number): PromptKey[] {
  const said: PromptKey[] = ['de/welcome', 'de/enter-room-number'];
  for (let attempt = 1; attempt <= wrong; attempt++) {
    said.push('de/enter-pin', 'de/invalid-entry', attempt === MENU_TRIES ? 'de/goodbye' : 'de/enter-room-number');
  }
  return said;
}
