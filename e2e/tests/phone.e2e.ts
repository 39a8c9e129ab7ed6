import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recording } from '@konferenz/testing/wav';
import chromium from '../chromium.json';
import { ConferenceTab, expect, screenshot, test as base } from './conference-fixtures';
import { analyseTone, Softphone, writeToneWav, type ToneAnalysis } from './softphone';

/**
 * Phones and browsers in one conference, with a real softphone: baresip (tests/softphone.ts)
 * dials the server's SIP gateway on 127.0.0.1, keys room number and PIN as RFC 4733 DTMF, sends a
 * 1 kHz tone as its voice and records what it hears. The moderator is Chromium, whose fake
 * microphone plays a 2.4 kHz tone from a WAV file; so each side can tell the other's audio apart:
 *
 * - the browser hears the phone: inbound-rtp bytes of the phone participant's <audio> element
 *   grow and its audioLevel is above 0;
 * - the phone hears the browser: its recording is not silent (RMS) and the 2.4 kHz tone stands
 *   out from the frequencies around it (Goertzel), measured in TypeScript.
 */

const SIP_URI = process.env.KONFERENZ_E2E_SIP_URI ?? 'sip:konferenz@127.0.0.1:5370';
/**
 * The moderator's microphone. Chosen where what a waiting caller hears (the German waiting prompt,
 * the hold music) has little energy of its own: over any 3 s of either, 2.4 kHz is at most
 * ~3.5 dB above the frequencies around it (measured on server/assets/prompts), and it is far from
 * the phone's tone.
 */
const BROWSER_TONE_HZ = 2_400;
/** The phone's microphone (baresip's ausine). */
const PHONE_TONE_HZ = 1_000;
/**
 * The browser's tone "stands out" in a 100 ms block this far above its neighbours (the clean
 * tone reaches ~50 dB). Heard: it stands out in most blocks of a stretch. Not heard: summed over the
 * stretch it is less than TONE_ABSENT_DB above its neighbours, and it stands out in only a few
 * blocks (speech and hold music do in single blocks now and then).
 */
const TONE_BLOCK_DB = 15;
const TONE_PRESENT_SHARE = 0.9;
const TONE_ABSENT_DB = 10;
const TONE_ABSENT_SHARE = 0.25;
/** Anything quieter counts as silence. */
const SILENCE_DBFS = -50;
/** Stretch of the phone's recording that is analysed at a time. */
const WINDOW_SECONDS = 2;

const toneWav = join(tmpdir(), `konferenz-e2e-moderator-tone-${BROWSER_TONE_HZ}hz-v1.wav`);
if (!existsSync(toneWav)) writeToneWav(toneWav, { frequency: BROWSER_TONE_HZ });

/** Softphones started by a test: stopped afterwards, their logs and recordings attached. */
const test = base.extend<{ dialIn: (name: string, user: string) => Promise<Softphone> }>({
  dialIn: async ({}, use, testInfo) => {
    const phones: Array<{ name: string; phone: Softphone }> = [];
    await use(async (name, user) => {
      const phone = await Softphone.dial(SIP_URI, { dir: testInfo.outputPath(`baresip-${name}`), user, toneHz: PHONE_TONE_HZ });
      phones.push({ name, phone });
      return phone;
    });
    for (const { name, phone } of phones) {
      const recording = await phone.stop();
      await testInfo.attach(`baresip-${name}.log`, { path: phone.logFile, contentType: 'text/plain' });
      if (recording) await testInfo.attach(`baresip-${name}-received.wav`, { path: recording, contentType: 'audio/wav' });
    }
  },
});

/** The same browser as every other suite, but its fake microphone plays the tone. */
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? chromium.executablePath,
    args: [...chromium.args, `--use-file-for-fake-audio-capture=${toneWav}`],
  },
});

/** The gateway's caller name: the number masked to its prefix and last three digits (sip/src/caller-name.ts). */
function maskedName(number: string): string {
  return `${number.slice(0, 3)} … ${number.slice(-3)}`;
}

function note(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`  ${type}: ${description}`);
}

function describe(analysis: ToneAnalysis, frequency = BROWSER_TONE_HZ): string {
  return (
    `${analysis.seconds.toFixed(1)} s, RMS ${analysis.rmsDbfs} dBFS, ${frequency} Hz over neighbours ${analysis.toneOverNeighboursDb} dB, ` +
    `standing out in ${Math.round(analysis.toneShare * 100)} % of 100 ms blocks`
  );
}

function analyse(recording: Recording, frequency: number, from = 0, to = recording.samples.length): ToneAnalysis {
  return analyseTone(recording, frequency, { from, to, blockThresholdDb: TONE_BLOCK_DB });
}

/** The browser's tone is not in this stretch of the phone's recording, which is not silent either. */
function expectNoBrowserTone(analysis: ToneAnalysis, what: string): void {
  note(what, describe(analysis));
  expect(analysis.rmsDbfs, `${what}: the phone hears the prompt and hold music`).toBeGreaterThan(SILENCE_DBFS);
  expect(analysis.toneOverNeighboursDb, `${what}: the browser's tone does not reach the phone`).toBeLessThan(TONE_ABSENT_DB);
  expect(analysis.toneShare, `${what}: the browser's tone does not reach the phone`).toBeLessThan(TONE_ABSENT_SHARE);
}

/** Keys the room number and PIN, each ended by '#', once the gateway's welcome prompt is arriving. */
async function enterRoom(phone: Softphone, roomNumber: string, pin: string): Promise<void> {
  await phone.waitForLog(/incoming rtp for 'audio' established/);
  await phone.press(`${roomNumber}#${pin}#`);
}

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** The phone participant's entry in the moderator's participant list, and their id. */
async function phoneInList(moderator: ConferenceTab, name: string): Promise<string> {
  const entry = moderator.page.getByTestId('participant-list').locator('[data-testid^="participant-"]', { hasText: name });
  await expect(entry).toHaveCount(1, { timeout: 20_000 });
  await expect(entry).toContainText('Telefon');
  return (await entry.getAttribute('data-testid'))!.slice('participant-'.length);
}

/** The browser receives the phone's audio: bytes arrive and keep growing, at a level above 0. */
async function expectHearsPhone(tab: ConferenceTab, phoneId: string): Promise<void> {
  await expect
    .poll(async () => (await tab.inboundByParticipant())[phoneId]?.audio ?? 0, { message: `${tab.displayName} receives the phone's audio`, timeout: 15_000 })
    .toBeGreaterThan(0);
  const before = (await tab.inboundByParticipant())[phoneId]!;
  let now = before;
  await expect
    .poll(
      async () => {
        now = (await tab.inboundByParticipant())[phoneId]!;
        return now.audio > before.audio && now.audioLevel > 0;
      },
      { message: `${tab.displayName}'s inbound audio from the phone grows, with an audio level above 0`, timeout: 5_000 },
    )
    .toBe(true);
  note('browser ← phone', `${now.audio} bytes, audioLevel ${now.audioLevel.toFixed(3)}`);
}

/** The browser receives nothing more from the phone over 2 s (after packets already under way). */
async function expectPhoneSilentAt(tab: ConferenceTab, phoneId: string): Promise<void> {
  let last = -1;
  await expect
    .poll(
      async () => {
        const bytes = (await tab.inboundByParticipant())[phoneId]?.audio ?? -1;
        const still = bytes === last;
        last = bytes;
        return still;
      },
      { message: `${tab.displayName} stops receiving the phone's audio`, intervals: [500], timeout: 5_000 },
    )
    .toBe(true);
  const before = (await tab.inboundByParticipant())[phoneId]!.audio;
  await tab.page.waitForTimeout(2_000);
  const after = (await tab.inboundByParticipant())[phoneId]!.audio;
  expect(before, 'the phone had been heard before').toBeGreaterThan(0);
  expect(after, "the phone's audio bytes at the browser").toBe(before);
  note('browser ← phone, muted', `bytes stood at ${after} for 2 s`);
}

/** Samples the phone has recorded so far (0 before the recording exists). */
function recordedSamples(phone: Softphone): number {
  return phone.received()?.samples.length ?? 0;
}

/**
 * The phone hears the browser: within the phone's recording after sample `from`, a stretch of
 * WINDOW_SECONDS that is not silence and carries the browser's tone (prompts may play first).
 */
async function expectPhoneHearsBrowser(phone: Softphone, from: number): Promise<void> {
  let analysis: ToneAnalysis | undefined;
  let ownTone: ToneAnalysis | undefined;
  await expect(async () => {
    const recording = phone.received();
    expect(recording, 'the phone records what it receives').not.toBeNull();
    const window = lastWindow(recording!, from);
    expect(window, `${WINDOW_SECONDS} s recorded since the mark`).not.toBeNull();
    analysis = analyse(recording!, BROWSER_TONE_HZ, ...window!);
    ownTone = analyse(recording!, PHONE_TONE_HZ, ...window!);
    expect(analysis.rmsDbfs, 'the phone hears something').toBeGreaterThan(SILENCE_DBFS);
    expect(analysis.toneShare, `the browser's ${BROWSER_TONE_HZ} Hz tone throughout the phone's recording`).toBeGreaterThanOrEqual(TONE_PRESENT_SHARE);
  }).toPass({ timeout: 20_000, intervals: [500] });
  note('phone ← browser', describe(analysis!));
  // Not asserted (the mix leaves the caller's own audio out, but that is the bridge's unit tests' business): no echo.
  note('phone ← its own tone (not asserted)', describe(ownTone!, PHONE_TONE_HZ));
}

function lastWindow(recording: Recording, from: number): [number, number] | null {
  const length = recording.sampleRate * WINDOW_SECONDS;
  const end = recording.samples.length;
  return end - from >= length ? [end - length, end] : null;
}

test('a phone dials in while the moderator is in the browser: audio both ways; the moderator mutes it; *6 toggles its microphone', async ({
  conf,
  dialIn,
}, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expectAdmitted(maria);

  const number = '+4930555000123';
  const phone = await dialIn('participant', number);
  await enterRoom(phone, owner.roomNumber, owner.participantPin);

  // The phone is in, marked as a phone, under its masked number; both hear each other.
  const phoneId = await phoneInList(maria, maskedName(number));
  await expect(maria.page.getByTestId(`participant-${phoneId}`)).toHaveAttribute('data-role', 'participant');
  await expect(maria.tile(phoneId)).toBeVisible();
  const joinedAt = recordedSamples(phone);
  await expectHearsPhone(maria, phoneId);
  await expectPhoneHearsBrowser(phone, joinedAt);
  await expect(maria.page.getByTestId(`participant-${phoneId}`)).toHaveAttribute('data-muted', 'false');
  await screenshot(maria.page, testInfo, '30-phone-in-conference');

  await test.step('the moderator mutes the phone from the web: its audio stops at the browser', async () => {
    const mute = maria.page.getByTestId(`mute-${phoneId}`);
    await expect(mute).toBeEnabled();
    await mute.click();
    await expect(maria.page.getByTestId(`participant-${phoneId}`)).toHaveAttribute('data-muted', 'true');
    await expect(maria.tile(phoneId)).toHaveAttribute('data-muted', 'true');
    await expect(mute).toBeDisabled();
    await expectPhoneSilentAt(maria, phoneId);
    await screenshot(maria.page, testInfo, '31-phone-muted-by-moderator');
  });

  await test.step('*6 on the phone unmutes it, *6 mutes it, *6 unmutes it again: the web UI follows', async () => {
    const entry = maria.page.getByTestId(`participant-${phoneId}`);
    await phone.press('*6');
    await expect(entry).toHaveAttribute('data-muted', 'false');
    await expect(maria.tile(phoneId)).toHaveAttribute('data-muted', 'false');
    // Unmuting itself also lifted the moderator's mute (as for a browser): the moderator may mute again.
    await expect(maria.page.getByTestId(`mute-${phoneId}`)).toBeEnabled();
    await expectHearsPhone(maria, phoneId);

    await phone.press('*6');
    await expect(entry).toHaveAttribute('data-muted', 'true');
    await expect(maria.tile(phoneId)).toHaveAttribute('data-muted', 'true');
    await expectPhoneSilentAt(maria, phoneId);

    await phone.press('*6');
    await expect(entry).toHaveAttribute('data-muted', 'false');
    await expect(maria.tile(phoneId)).toHaveAttribute('data-muted', 'false');
    await expectHearsPhone(maria, phoneId);
  });
});

test('a phone that dials before the moderator waits without conference audio, is in the waiting list, and is heard once admitted', async ({
  conf,
  dialIn,
}, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  // Admission one by one, so the waiting phone stays in the moderator's waiting list.
  await conf.setRoomSettings(owner, { admission: 'manual', moderatorLeaves: 'continue' });

  const number = '+4930555000456';
  const phone = await dialIn('waiting', number);
  await enterRoom(phone, owner.roomNumber, owner.participantPin);

  // The moderator arrives: the phone waits in their waiting list, under its masked number.
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expectAdmitted(maria);
  const waiting = maria.page.getByTestId('waiting-list').locator('li[data-testid^="waiting-"]');
  await expect(waiting).toHaveCount(1, { timeout: 20_000 });
  await expect(waiting).toContainText(maskedName(number));
  const phoneId = (await waiting.getAttribute('data-testid'))!.slice('waiting-'.length);
  await expect(maria.page.getByTestId(`participant-${phoneId}`)).toHaveCount(0);
  await screenshot(maria.page, testInfo, '32-phone-in-waiting-list');

  // The moderator's microphone is live in the room now; the waiting phone must not hear it. Its
  // recording from the start of the call up to WINDOW_SECONDS after the moderator's audio flows:
  // something (prompt, hold music), but not the browser's tone.
  await expect.poll(async () => (await maria.stats()).outboundAudioBytes, { message: "the moderator's audio is sent", timeout: 15_000 }).toBeGreaterThan(0);
  const moderatorSpeaksAt = recordedSamples(phone);
  await expect
    .poll(() => recordedSamples(phone), { message: `the waiting phone records ${WINDOW_SECONDS} s while the moderator speaks`, timeout: 15_000 })
    .toBeGreaterThanOrEqual(moderatorSpeaksAt + 8_000 * WINDOW_SECONDS);
  const waited = phone.received()!;
  expectNoBrowserTone(analyse(waited, BROWSER_TONE_HZ), 'phone while waiting (whole wait)');
  expectNoBrowserTone(analyse(waited, BROWSER_TONE_HZ, moderatorSpeaksAt), 'phone while waiting (moderator speaking)');
  expect((await maria.inboundByParticipant())[phoneId]?.audio ?? 0, 'nor does the waiting phone reach the browser').toBe(0);
  await expect(waiting).toHaveCount(1);

  // Admitted from the browser: audio flows both ways.
  const admittedAt = recordedSamples(phone);
  await maria.page.getByTestId(`admit-${phoneId}`).click();
  await expect(maria.page.getByTestId('waiting-list')).toHaveCount(0);
  await expect(maria.page.getByTestId(`participant-${phoneId}`)).toContainText('Telefon');
  await expectHearsPhone(maria, phoneId);
  await expectPhoneHearsBrowser(phone, admittedAt);
});
