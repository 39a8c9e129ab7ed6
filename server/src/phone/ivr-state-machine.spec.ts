import { describe, expect, it, vi } from 'vitest';
import type { DtmfDigit } from '@konferenz/sip';
import { IvrStateMachine, type CheckPin, type IvrCommand } from './ivr-state-machine';

const ROOM = '47110815';
const PIN = '583920';

function machine(checkPin: CheckPin = async () => 'participant', roomNumber?: string) {
  const ivr = new IvrStateMachine({ checkPin, roomNumber });
  let now = 0;
  const keys = async (sequence: string): Promise<IvrCommand[]> => {
    const commands: IvrCommand[] = [];
    for (const digit of sequence) {
      now += 200;
      commands.push(...(await ivr.handle({ type: 'digit', digit: digit as DtmfDigit, at: now })));
    }
    return commands;
  };
  const finishPlayback = () => ivr.handle({ type: 'playback-finished', at: now });
  const wait = async (ms: number) => {
    now += ms;
    return ivr.handle({ type: 'tick', at: now });
  };
  return { ivr, keys, finishPlayback, wait };
}

const plays = (commands: IvrCommand[]) => commands.flatMap((command) => (command.type === 'play' ? command.prompts : []));

describe('IvrStateMachine', () => {
  it('welcomes in German, asks for the room number, then the PIN, then joins', async () => {
    const checkPin = vi.fn<CheckPin>(async () => 'moderator');
    const { ivr, keys, finishPlayback } = machine(checkPin);
    expect(ivr.start()).toEqual([{ type: 'play', prompts: ['de/welcome', 'de/enter-room-number'] }]);
    await finishPlayback();
    expect(await keys(`${ROOM}#`)).toEqual([{ type: 'play', prompts: ['de/enter-pin'] }]);
    await finishPlayback();
    expect(await keys(`${PIN}#`)).toEqual([{ type: 'join', roomNumber: ROOM, role: 'moderator', language: 'de' }]);
    expect(checkPin).toHaveBeenCalledWith(ROOM, PIN);
    expect(ivr.phase).toBe('in-conference');
  });

  describe('dialled as sip:<room>@host', () => {
    it('asks for the PIN only, and for the PIN again after a wrong one', async () => {
      const checkPin = vi.fn<CheckPin>(async (_room, pin) => (pin === PIN ? 'participant' : 'invalid'));
      const { ivr, keys, finishPlayback } = machine(checkPin, ROOM);
      expect(ivr.start()).toEqual([{ type: 'play', prompts: ['de/welcome', 'de/enter-pin'] }]);
      await finishPlayback();
      expect(plays(await keys('111111#'))).toEqual(['de/invalid-entry', 'de/enter-pin']);
      await finishPlayback();
      expect(await keys(`${PIN}#`)).toEqual([{ type: 'join', roomNumber: ROOM, role: 'participant', language: 'de' }]);
      expect(checkPin.mock.calls).toEqual([
        [ROOM, '111111'],
        [ROOM, PIN],
      ]);
    });

    it('switches to English on * and asks for the PIN in English', async () => {
      const { ivr, keys } = machine(undefined, ROOM);
      ivr.start();
      expect(await keys('*')).toEqual([{ type: 'stop-playback' }, { type: 'play', prompts: ['en/enter-pin'] }]);
      expect(await keys(`${PIN}#`)).toEqual([{ type: 'stop-playback' }, { type: 'join', roomNumber: ROOM, role: 'participant', language: 'en' }]);
    });

    it('treats an unknown dialled room like a wrong PIN (no hint), three tries in all', async () => {
      const { ivr, keys } = machine(async () => 'invalid', '99999999');
      ivr.start();
      expect(plays(await keys(`${PIN}#`))).toEqual(['de/invalid-entry', 'de/enter-pin']);
      expect(plays(await keys(`${PIN}#`))).toEqual(['de/invalid-entry', 'de/enter-pin']);
      const last = await keys(`${PIN}#`);
      expect(plays(last)).toEqual(['de/invalid-entry', 'de/goodbye']);
      expect(last.at(-1)).toEqual({ type: 'hangup', reason: 'invalid-entries' });
    });

    it('asks for the room number when the dialled user part is no room number (a trunk number, a name)', async () => {
      for (const user of ['conference', '+4930123456', '0471108', '123456789']) {
        const { ivr } = machine(undefined, user);
        expect(plays(ivr.start())).toEqual(['de/welcome', 'de/enter-room-number']);
      }
    });
  });

  it('switches to English on * during the welcome', async () => {
    const { ivr, keys } = machine();
    ivr.start();
    expect(await keys('*')).toEqual([{ type: 'stop-playback' }, { type: 'play', prompts: ['en/enter-room-number'] }]);
    expect(plays(await keys(`${ROOM}#`))).toEqual(['en/enter-pin']);
    // Typing the PIN over its prompt stops the prompt.
    expect(await keys(`${PIN}#`)).toEqual([{ type: 'stop-playback' }, { type: 'join', roomNumber: ROOM, role: 'participant', language: 'en' }]);
  });

  it('lets the caller type over the prompt (barge-in) and keeps German then', async () => {
    const { ivr, keys } = machine();
    ivr.start();
    const commands = await keys(`${ROOM}#`);
    expect(commands[0]).toEqual({ type: 'stop-playback' });
    expect(plays(commands)).toEqual(['de/enter-pin']);
    expect(ivr.language).toBe('de');
    expect(plays(await keys('*'))).toEqual([]);
  });

  it('says an entry is invalid and starts over, three tries per call, then goodbye and hang up', async () => {
    const checkPin = vi.fn<CheckPin>(async () => 'invalid');
    const { ivr, keys, finishPlayback } = machine(checkPin);
    ivr.start();
    await finishPlayback();
    expect(plays(await keys('123#'))).toEqual(['de/invalid-entry', 'de/enter-room-number']);
    await keys(`${ROOM}#`);
    expect(plays(await keys(`${PIN}#`))).toEqual(['de/invalid-entry', 'de/enter-room-number']);
    await keys(`${ROOM}#`);
    const last = await keys('12#'); // too short a PIN: not even checked
    expect(last).toEqual([
      { type: 'stop-playback' }, // the first key stops the PIN prompt
      { type: 'stop-playback' }, // '#' ends the entry: nothing plays, stopping again is harmless
      { type: 'play', prompts: ['de/invalid-entry', 'de/goodbye'] },
      { type: 'hangup', reason: 'invalid-entries' },
    ]);
    expect(checkPin).toHaveBeenCalledTimes(1);
    expect(ivr.phase).toBe('finished');
    expect(await keys('1')).toEqual([]);
  });

  it('counts silence as a failed try, starting the clock when the prompt has played', async () => {
    const { ivr, finishPlayback, wait } = machine();
    ivr.start();
    expect(ivr.deadline()).toBeNull();
    await finishPlayback();
    expect(ivr.deadline()).toBe(20_000);
    expect(plays(await wait(19_999))).toEqual([]);
    expect(plays(await wait(1))).toEqual(['de/invalid-entry', 'de/enter-room-number']);
  });

  it("takes a complete room number without '#' after the inter-digit pause, but not a partial one", async () => {
    const { ivr, keys, wait, finishPlayback } = machine();
    ivr.start();
    await keys(ROOM);
    expect(plays(await wait(5_000))).toEqual(['de/enter-pin']);
    await finishPlayback();
    await keys('583');
    expect(plays(await wait(5_000))).toEqual(['de/invalid-entry', 'de/enter-room-number']);
  });

  it('hangs up on a locked-out caller and on a failing PIN check', async () => {
    const locked = machine(async () => 'locked-out');
    locked.ivr.start();
    await locked.keys(`${ROOM}#`);
    await locked.finishPlayback();
    expect(await locked.keys(`${PIN}#`)).toEqual([
      { type: 'play', prompts: ['de/invalid-entry', 'de/goodbye'] },
      { type: 'hangup', reason: 'locked-out' },
    ]);
    const broken = machine(async () => {
      throw new Error('database down');
    });
    broken.ivr.start();
    await broken.keys(`${ROOM}#`);
    await broken.finishPlayback();
    expect(await broken.keys(`${PIN}#`)).toEqual([
      { type: 'play', prompts: ['de/service-unavailable', 'de/goodbye'] },
      { type: 'hangup', reason: 'error' },
    ]);
    const unavailable = machine(async () => 'unavailable');
    unavailable.ivr.start();
    await unavailable.keys(`${ROOM}#`);
    await unavailable.finishPlayback();
    expect(await unavailable.keys(`${PIN}#`)).toEqual([
      { type: 'play', prompts: ['de/service-unavailable', 'de/goodbye'] },
      { type: 'hangup', reason: 'error' },
    ]);
  });

  it('ignores keys while the PIN is being checked', async () => {
    let release!: (value: 'participant') => void;
    const { ivr, keys } = machine(() => new Promise((resolve) => (release = resolve)));
    ivr.start();
    await keys(`${ROOM}#`);
    const pending = keys(`${PIN}#`);
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(ivr.phase).toBe('checking');
    expect(await ivr.handle({ type: 'digit', digit: '5', at: 99_999 })).toEqual([]);
    release('participant');
    expect((await pending).at(-1)).toMatchObject({ type: 'join' });
  });

  describe('in the conference', () => {
    async function joined(role: 'moderator' | 'participant', language: '*' | '' = '') {
      const m = machine(async () => role);
      m.ivr.start();
      await m.keys(`${language}${ROOM}#${PIN}#`);
      return m;
    }

    it('turns *6 and *# into actions for everyone, *5 and *9 for moderators only', async () => {
      const participant = await joined('participant');
      expect(await participant.keys('*6*#*5*9')).toEqual([
        { type: 'conference-action', action: { type: 'toggle-mute' } },
        { type: 'conference-action', action: { type: 'participant-count' } },
      ]);
      const moderator = await joined('moderator');
      expect(await moderator.keys('*5*9')).toEqual([
        { type: 'conference-action', action: { type: 'toggle-lock' } },
        { type: 'conference-action', action: { type: 'mute-others' } },
      ]);
      expect(await moderator.keys('6')).toEqual([]);
    });

    it('drops a command whose second key comes too late', async () => {
      const { keys, wait } = await joined('participant');
      await keys('*');
      await wait(3_500);
      expect(await keys('6')).toEqual([]);
    });

    it('speaks what the conference reports, in the chosen language', async () => {
      const { ivr } = await joined('participant', '*');
      expect(await ivr.handle({ type: 'waiting-for-moderator' })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['en/waiting-for-moderator', 'hold-music'], loop: true },
      ]);
      expect(await ivr.handle({ type: 'waiting-for-admission' })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['en/waiting-for-admission', 'hold-music'], loop: true },
      ]);
      expect(await ivr.handle({ type: 'conference-started' })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['en/conference-starts', 'en/help-hint'] },
      ]);
      expect(plays(await ivr.handle({ type: 'joined', participantCount: 1 }))).toEqual(['en/only-participant', 'en/help-hint']);
      expect(plays(await ivr.handle({ type: 'joined', participantCount: 3 }))).toEqual([]);
      expect(plays(await ivr.handle({ type: 'mute-changed', muted: true }))).toEqual(['en/muted']);
      expect(plays(await ivr.handle({ type: 'mute-changed', muted: false }))).toEqual(['en/unmuted']);
      expect(plays(await ivr.handle({ type: 'participant-count', count: 7 }))).toEqual([
        'en/participant-count-before',
        'en/numbers/7',
        'en/participant-count-after',
      ]);
      expect(plays(await ivr.handle({ type: 'participant-count', count: 250 }))).toContain('en/numbers/99');
      expect(plays(await ivr.handle({ type: 'lock-changed', locked: true }))).toEqual(['en/conference-locked']);
      expect(plays(await ivr.handle({ type: 'others-muted' }))).toEqual(['en/others-muted']);
      expect(plays(await ivr.handle({ type: 'confirmation', prompt: 'unmuted' }))).toEqual(['en/unmuted']);
      expect(await ivr.handle({ type: 'conference-ended' })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['en/conference-ended', 'en/goodbye'] },
        { type: 'hangup', reason: 'conference-ended' },
      ]);
    });

    it('plays one tone per change reported: rising for entries, falling for exits', async () => {
      const { ivr } = await joined('participant');
      expect(await ivr.handle({ type: 'presence', changes: ['entry'] })).toEqual([{ type: 'play', prompts: ['tones/entry'] }]);
      expect(plays(await ivr.handle({ type: 'presence', changes: ['exit', 'entry'] }))).toEqual(['tones/exit', 'tones/entry']);
    });

    it('says the moderator left: queued while the conference goes on, over the waiting music when the caller is sent back', async () => {
      const { ivr } = await joined('participant', '*');
      expect(await ivr.handle({ type: 'moderator-left', waiting: false })).toEqual([{ type: 'play', prompts: ['en/moderator-left'] }]);
      expect(await ivr.handle({ type: 'moderator-left', waiting: true })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['en/moderator-left'] },
        { type: 'play', prompts: ['en/waiting-for-moderator-return', 'hold-music'], loop: true },
      ]);
    });

    it("says the keys of the caller's role on *0, from the keypad table", async () => {
      const participant = await joined('participant');
      expect(await participant.keys('*0')).toEqual([{ type: 'play', prompts: ['de/help-intro', 'de/help-hand', 'de/help-mute', 'de/help-count'] }]);
      const moderator = await joined('moderator', '*');
      expect(plays(await moderator.keys('*0'))).toEqual([
        'en/help-intro',
        'en/help-hand',
        'en/help-lock',
        'en/help-mute',
        'en/help-mute-others',
        'en/help-count',
      ]);
    });

    it('says the room is locked, and goodbye, when the conference turns the caller away', async () => {
      const { ivr } = await joined('participant');
      expect(await ivr.handle({ type: 'room-locked' })).toEqual([
        { type: 'stop-playback' },
        { type: 'play', prompts: ['de/room-locked', 'de/goodbye'] },
        { type: 'hangup', reason: 'room-locked' },
      ]);
    });
  });
});
