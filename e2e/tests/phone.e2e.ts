import chromium from '../chromium.json';
import { type ConferenceKit, ConferenceTab, expect, type RoomOwner, screenshot, test as base } from './conference-fixtures';
import {
  analyse,
  BROWSER_TONE_HZ,
  browserToneWav,
  enterRoom,
  expectHearsPhone,
  hangUpAndAttach,
  expectNoBrowserTone,
  expectPhoneHearsBrowser,
  expectPhoneSilentAt,
  maskedName,
  PHONE_TONE_HZ,
  phoneInList,
  recordedSamples,
  WINDOW_SECONDS,
} from './phone-audio-checks';
import { Softphone, type SoftphoneCodecs } from './softphone';

/**
 * Phones and browsers in one conference, with a real softphone: baresip (tests/softphone.ts)
 * dials the server's SIP gateway on 127.0.0.1, keys room number and PIN as RFC 4733 DTMF, sends a
 * 1 kHz tone as its voice and records what it hears. The moderator is Chromium, whose fake
 * microphone plays a 2.4 kHz tone from a WAV file; so each side can tell the other's audio apart
 * (phone-audio-checks.ts).
 */

const SIP_URI = process.env.KONFERENZ_E2E_SIP_URI ?? 'sip:konferenz@127.0.0.1:5370';

/** Softphones started by a test: stopped afterwards, their logs and recordings attached. */
const test = base.extend<{ dialIn: (name: string, user: string, codec?: SoftphoneCodecs) => Promise<Softphone> }>({
  dialIn: async ({}, use, testInfo) => {
    const phones: Array<{ name: string; phone: Softphone }> = [];
    await use(async (name, user, codec) => {
      const phone = await Softphone.dial(SIP_URI, { dir: testInfo.outputPath(`baresip-${name}`), user, toneHz: PHONE_TONE_HZ, codec });
      phones.push({ name, phone });
      return phone;
    });
    for (const { name, phone } of phones) await hangUpAndAttach(phone, name);
  },
});

/** The same browser as every other suite, but its fake microphone plays the tone. */
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? chromium.executablePath,
    args: [...chromium.args, `--use-file-for-fake-audio-capture=${browserToneWav()}`],
  },
});

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** The room's owner in the browser as moderator Maria (camera off), in the conference. */
async function moderatorInRoom(conf: ConferenceKit): Promise<{ owner: RoomOwner; maria: ConferenceTab }> {
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expectAdmitted(maria);
  return { owner, maria };
}

/** The phone keys room number and participant PIN, Maria sees it under its masked `number`, and each hears the other. */
async function expectPhoneInWithAudioBothWays(phone: Softphone, owner: RoomOwner, maria: ConferenceTab, number: string): Promise<void> {
  await enterRoom(phone, owner.roomNumber, owner.participantPin);
  const phoneId = await phoneInList(maria, maskedName(number));
  const joinedAt = recordedSamples(phone);
  await expectHearsPhone(maria, phoneId);
  await expectPhoneHearsBrowser(phone, joinedAt);
}

test('a phone dials in while the moderator is in the browser: audio both ways; the moderator mutes it; *6 toggles its microphone', async ({
  conf,
  dialIn,
}, testInfo) => {
  test.setTimeout(120_000);
  const { owner, maria } = await moderatorInRoom(conf);

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

test('baresip with Opus alone (telephone-event at 8 kHz only): answered in Opus with those events, its keys reach the menu, audio both ways', async ({
  conf,
  dialIn,
}) => {
  test.setTimeout(90_000);
  const { owner, maria } = await moderatorInRoom(conf);

  const number = '+4930555000456';
  const phone = await dialIn('opus', number, 'opus');
  expect(phone.log).toMatch(/opus\/48000/i);
  await expectPhoneInWithAudioBothWays(phone, owner, maria, number);
});

for (const [offer, number] of [
  ['G722', '+4930555000722'],
  ['G722,PCMU', '+4930555000723'],
] as const) {
  test(`baresip offering ${offer === 'G722' ? 'G.722 alone (an HD desk phone)' : 'G.722 first, then PCMU'}: answered in G.722 (16 kHz), its keys reach the menu, audio both ways`, async ({
    conf,
    dialIn,
  }) => {
    test.setTimeout(90_000);
    const { owner, maria } = await moderatorInRoom(conf);

    const phone = await dialIn(offer === 'G722' ? 'g722' : 'g722-pcmu', number, offer);
    expect(phone.log).toMatch(/Set audio encoder: G722 16000Hz/);
    expect(phone.log).toMatch(/Set audio decoder: G722 16000Hz/);
    expect(phone.log).not.toMatch(/Set audio (en|de)coder: PCMU/);
    await expectPhoneInWithAudioBothWays(phone, owner, maria, number);
    // baresip records what it decoded at the codec's rate: wideband.
    expect(phone.received()!.sampleRate).toBe(16_000);
  });
}
