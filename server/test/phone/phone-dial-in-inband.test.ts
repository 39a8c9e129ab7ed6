import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { phoneCallerScenario, type CallEnd } from '@konferenz/testing/sipp-scenario';
import { describe as group, expect, it } from 'vitest';
import { customerWithRoom, PARTICIPANT_PIN } from '../support/customer';
import { phoneNamed, useDialInApp } from './support/dial-in-app';
import { recordKeyTones } from './support/inband-key-tones';
import { describe, runSipp } from './support/sipp';

/**
 * Callers whose keys are DTMF tones in their G.711 audio (an analog gateway, a trunk that strips
 * RFC 4733): sipp offers PCMU without telephone-events and plays an RTP stream with the tones;
 * the whole product hears them. And a phone that sends each key both ways is heard once per key.
 */
group('phone dial-in by in-band DTMF (sipp against the whole app)', () => {
  const dialIn = useDialInApp('konferenz-dial-in-inband-');
  const { prompts, moderatorOf } = dialIn;

  function call(name: string, keys: string, options: { caller: string; telephoneEvents: boolean; end: CallEnd; g722First?: boolean }) {
    const folder = join(dialIn.dir, name);
    mkdirSync(folder);
    const audio = recordKeyTones(folder, keys, { alsoTelephoneEvents: options.telephoneEvents });
    const scenario = join(folder, 'scenario.xml');
    writeFileSync(
      scenario,
      phoneCallerScenario({ keys: audio, end: options.end, caller: options.caller, telephoneEvents: options.telephoneEvents, g722First: options.g722First }),
    );
    return runSipp({ scenario, port: dialIn.sipPort, timeoutSeconds: 90 });
  }

  it('PCMU without telephone-events: room number, #, PIN, # as tones let the caller in; *6 as tones mutes it', async () => {
    const { roomNumber } = await customerWithRoom(dialIn.app);
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
    const { roomNumber } = await customerWithRoom(dialIn.app);
    const moderator = await moderatorOf(roomNumber);
    const run = call('both-ways', `${roomNumber}#${PARTICIPANT_PIN}#`, { caller: '+4930333', telephoneEvents: true, end: { callerHangsUpAfterMs: 5000 } });

    const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 333')?.microphone === 'on', 30_000);
    expect(phoneNamed(seated.participants, '+49 … 333')).toMatchObject({ role: 'participant', state: 'admitted' });
    const done = await run;
    expect(done.code, describe(done)).toBe(0);
    // A key counted twice would have made the room number or PIN wrong: asked again, "invalid".
    expect(prompts[0]).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin']);
  });

  it('G.722 offered before PCMU without telephone-events: answered in PCMU, where its key tones are heard, and let in', async () => {
    const { roomNumber } = await customerWithRoom(dialIn.app);
    const moderator = await moderatorOf(roomNumber);
    const run = call('g722-first', `${roomNumber}#${PARTICIPANT_PIN}#`, {
      caller: '+4930444',
      telephoneEvents: false,
      g722First: true,
      end: { callerHangsUpAfterMs: 4000 },
    });

    const seated = await moderator.waitForState((state) => phoneNamed(state.participants, '+49 … 444')?.microphone === 'on', 30_000);
    expect(phoneNamed(seated.participants, '+49 … 444')).toMatchObject({ role: 'participant', state: 'admitted' });
    const done = await run;
    expect(done.code, describe(done)).toBe(0);
  });
});
