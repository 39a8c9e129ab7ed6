import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Recording } from '@konferenz/testing/wav';
import { expect, test, type ConferenceTab } from './conference-fixtures';
import { analyseTone, writeToneWav, type Softphone, type ToneAnalysis } from './softphone';

/**
 * How the phone suites tell who hears whom: the browsers' fake microphone plays a 2.4 kHz tone
 * (browserToneWav), the softphone a 1 kHz one.
 * - the browser hears the phone: inbound-rtp bytes of the phone participant's <audio> element
 *   grow and its audioLevel is above 0;
 * - the phone hears the browser: its recording is not silent (RMS) and the 2.4 kHz tone stands
 *   out from the frequencies around it (Goertzel), measured in TypeScript.
 */

/**
 * The moderator's microphone. Chosen where what a waiting caller hears (the German waiting prompt,
 * the hold music) has little energy of its own: over any 3 s of either, 2.4 kHz is at most
 * ~3.5 dB above the frequencies around it (measured on server/assets/prompts), and it is far from
 * the phone's tone.
 */
export const BROWSER_TONE_HZ = 2_400;
/** The phone's microphone (baresip's ausine). */
export const PHONE_TONE_HZ = 1_000;
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
export const WINDOW_SECONDS = 2;

/** The WAV Chromium's fake microphone plays (`--use-file-for-fake-audio-capture`): the browsers' tone. */
export function browserToneWav(): string {
  const file = join(tmpdir(), `konferenz-e2e-moderator-tone-${BROWSER_TONE_HZ}hz-v1.wav`);
  if (!existsSync(file)) writeToneWav(file, { frequency: BROWSER_TONE_HZ });
  return file;
}

/** The gateway's caller name: the number masked to its prefix and last three digits (sip/src/caller-name.ts). */
export function maskedName(number: string): string {
  return `${number.slice(0, 3)} … ${number.slice(-3)}`;
}

export function note(type: string, description: string): void {
  test.info().annotations.push({ type, description });
  console.log(`  ${type}: ${description}`);
}

export function describe(analysis: ToneAnalysis, frequency = BROWSER_TONE_HZ): string {
  return (
    `${analysis.seconds.toFixed(1)} s, RMS ${analysis.rmsDbfs} dBFS, ${frequency} Hz over neighbours ${analysis.toneOverNeighboursDb} dB, ` +
    `standing out in ${Math.round(analysis.toneShare * 100)} % of 100 ms blocks`
  );
}

export function analyse(recording: Recording, frequency: number, from = 0, to = recording.samples.length): ToneAnalysis {
  return analyseTone(recording, frequency, { from, to, blockThresholdDb: TONE_BLOCK_DB });
}

/** The browser's tone is not in this stretch of the phone's recording, which is not silent either. */
export function expectNoBrowserTone(analysis: ToneAnalysis, what: string): void {
  note(what, describe(analysis));
  expect(analysis.rmsDbfs, `${what}: the phone hears the prompt and hold music`).toBeGreaterThan(SILENCE_DBFS);
  expect(analysis.toneOverNeighboursDb, `${what}: the browser's tone does not reach the phone`).toBeLessThan(TONE_ABSENT_DB);
  expect(analysis.toneShare, `${what}: the browser's tone does not reach the phone`).toBeLessThan(TONE_ABSENT_SHARE);
}

/** Keys the room number and PIN, each ended by '#', once the gateway's welcome prompt is arriving. */
export async function enterRoom(phone: Softphone, roomNumber: string, pin: string): Promise<void> {
  await phone.waitForLog(/incoming rtp for 'audio' established/);
  await phone.press(`${roomNumber}#${pin}#`);
}

/** The phone participant's entry in the moderator's participant list, and their id. */
export async function phoneInList(moderator: ConferenceTab, name: string): Promise<string> {
  const entry = moderator.page.getByTestId('participant-list').locator('[data-testid^="participant-"]', { hasText: name });
  await expect(entry).toHaveCount(1, { timeout: 20_000 });
  await expect(entry).toContainText('Telefon');
  return (await entry.getAttribute('data-testid'))!.slice('participant-'.length);
}

/** The browser receives the phone's audio: bytes arrive and keep growing, at a level above 0. */
export async function expectHearsPhone(tab: ConferenceTab, phoneId: string): Promise<void> {
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
export async function expectPhoneSilentAt(tab: ConferenceTab, phoneId: string): Promise<void> {
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
export function recordedSamples(phone: Softphone): number {
  return phone.received()?.samples.length ?? 0;
}

/**
 * The phone hears the browser: within the phone's recording after sample `from`, a stretch of
 * WINDOW_SECONDS that is not silence and carries the browser's tone (prompts may play first).
 */
export async function expectPhoneHearsBrowser(phone: Softphone, from: number): Promise<void> {
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

export function lastWindow(recording: Recording, from: number): [number, number] | null {
  const length = recording.sampleRate * WINDOW_SECONDS;
  const end = recording.samples.length;
  return end - from >= length ? [end - length, end] : null;
}

/** Hangs the softphone up and attaches its log and what it heard to the test's report. */
export async function hangUpAndAttach(phone: Softphone, name: string): Promise<void> {
  const recording = await phone.stop();
  await test.info().attach(`baresip-${name}.log`, { path: phone.logFile, contentType: 'text/plain' });
  if (recording) await test.info().attach(`baresip-${name}-received.wav`, { path: recording, contentType: 'audio/wav' });
}
