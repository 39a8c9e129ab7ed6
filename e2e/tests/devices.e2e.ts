import chromium from '../chromium.json';
import { type ConferenceTab, expect, screenshot, test } from './conference-fixtures';

/**
 * Devices during the call, in the real browser with Chromium's fake devices, three cameras
 * (device-count=3) and its fake microphones and speakers: another camera or microphone is sent in the old one's place (replaceTrack, no
 * new producer) and the other browser keeps receiving; a muted microphone stays muted; the
 * speaker choice routes the others' audio (setSinkId); the device check plays a test tone.
 */
test.use({
  launchOptions: {
    executablePath: chromium.executablePath,
    args: chromium.args.map((arg) => (arg === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=3' : arg)),
  },
});

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** The values of a device <select>, and the one chosen. */
async function selectState(tab: ConferenceTab, kind: 'microphone' | 'camera' | 'speaker') {
  const select = tab.page.getByTestId(`call-select-${kind}`);
  const values = await select.locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  return { select, values, chosen: await select.inputValue() };
}

/** The deviceId of the own track of a kind that is sent, read from the RTCRtpSenders. */
async function sentDevice(tab: ConferenceTab, kind: 'audio' | 'video'): Promise<string | null> {
  return tab.page.evaluate((wanted) => {
    const state = (window as unknown as { __e2ePeerConnections?: { seen: Set<RTCPeerConnection> } }).__e2ePeerConnections;
    for (const pc of state?.seen ?? []) {
      if (pc.connectionState === 'closed') continue;
      for (const sender of pc.getSenders()) if (sender.track?.kind === wanted) return sender.track.getSettings().deviceId ?? null;
    }
    return null;
  }, kind);
}

test('switching camera and microphone in the call: the other browser keeps receiving, over the same consumers; a muted microphone stays muted; the speaker choice routes the audio', async ({
  conf,
}, testInfo) => {
  test.setTimeout(150_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast');
  for (const tab of [maria, anna]) await expectAdmitted(tab);
  await maria.expectReceiving([anna], { setupMs: 30_000 });
  const consumersBefore = (await maria.stats()).consumers;
  const producedBefore = await anna.peerConnections();

  // Anna chooses her other camera.
  await anna.page.getByTestId('device-menu').locator('summary').click();
  await expect(anna.page.getByTestId('device-menu').locator('summary')).toHaveText('Geräte');
  const camera = await selectState(anna, 'camera');
  expect(camera.values.length, `cameras: ${camera.values.join(', ')}`).toBe(3);
  // fake_device_1 sends Y16 (a depth format) that WebRTC does not encode; fake_device_2 is MJPEG.
  const otherCamera = await camera.select.locator('option', { hasText: 'fake_device_2' }).getAttribute('value');
  expect(otherCamera).not.toBe(camera.chosen);
  const cameraBefore = await sentDevice(anna, 'video');
  expect(cameraBefore).toBe(camera.chosen);
  await camera.select.selectOption(otherCamera!);
  await expect.poll(() => sentDevice(anna, 'video'), { message: 'the other camera is sent', timeout: 30_000 }).toBe(otherCamera);
  await expect(camera.select).toHaveValue(otherCamera!);
  // Maria still receives Anna's video, over the consumers she had: no new producer, no renegotiation.
  await maria.expectReceiving([anna], { growWithinMs: 5_000 });
  await expect(maria.tile(anna.id)).toHaveAttribute('data-drawing', 'true', { timeout: 15_000 });
  await screenshot(anna.page, testInfo, '41-devices-in-call');
  expect((await maria.stats()).consumers).toBe(consumersBefore);
  expect(await anna.peerConnections()).toEqual(producedBefore);

  // Muted, she chooses her other microphone: still muted, for her and for Maria.
  await anna.page.getByTestId('toggle-mic').click();
  await expect(maria.tile(anna.id)).toHaveAttribute('data-muted', 'true');
  const microphone = await selectState(anna, 'microphone');
  expect(microphone.values.length, `microphones: ${microphone.values.join(', ')}`).toBeGreaterThanOrEqual(2);
  const otherMicrophone = microphone.values.find((value) => value !== microphone.chosen)!;
  await microphone.select.selectOption(otherMicrophone);
  await expect.poll(() => sentDevice(anna, 'audio'), { message: 'the other microphone is sent', timeout: 30_000 }).toBe(otherMicrophone);
  await expect(anna.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'false');
  await expect(maria.tile(anna.id)).toHaveAttribute('data-muted', 'true');
  // Unmuted, Maria hears the new microphone.
  await anna.page.getByTestId('toggle-mic').click();
  await expect(maria.tile(anna.id)).toHaveAttribute('data-muted', 'false');
  await maria.expectReceiving([anna], { growWithinMs: 5_000 });

  // Maria chooses a speaker: Anna's audio element plays there.
  await maria.page.getByTestId('device-menu').locator('summary').click();
  const speaker = await selectState(maria, 'speaker');
  expect(speaker.values.length, `speakers: ${speaker.values.join(', ')}`).toBeGreaterThanOrEqual(2);
  const otherSpeaker = speaker.values.find((value) => value !== speaker.chosen && value !== 'default') ?? speaker.values[1]!;
  await speaker.select.selectOption(otherSpeaker);
  await expect
    .poll(() => maria.page.evaluate((id) => (document.querySelector(`[data-testid="audio-${id}"]`) as HTMLAudioElement & { sinkId: string }).sinkId, anna.id))
    .toBe(otherSpeaker);
  await maria.expectReceiving([anna], { video: false, growWithinMs: 5_000 });
});

test('the device check plays a test tone on the chosen speaker', async ({ conf }, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  const { page } = await conf.newTab();
  await page.goto(`/join?room=${owner.roomNumber}`);
  await page.getByTestId('pin').fill(owner.participantPin);
  await page.getByTestId('displayName').fill('Anna Gast');
  await page.getByTestId('join-submit').click();
  await expect(page.getByTestId('prejoin')).toBeVisible();
  const speakers = page.getByTestId('select-speaker');
  await expect(speakers).toBeVisible();
  await expect(page.locator('label', { hasText: 'Lautsprecher' }).first()).toBeVisible();
  const values = await speakers.locator('option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  expect(values.length).toBeGreaterThanOrEqual(2);
  await speakers.selectOption(values[1]!);

  const testButton = page.getByTestId('speaker-test');
  await expect(testButton).toHaveText('Lautsprecher testen');
  await testButton.click();
  await expect(testButton).toHaveAttribute('data-playing', 'true');
  await expect(testButton).toHaveText('Testton läuft …');
  await screenshot(page, testInfo, '42-device-check-speaker-test');
  await expect(testButton).toHaveAttribute('data-playing', 'false', { timeout: 5_000 });
  await expect(testButton).toHaveText('Lautsprecher testen');
  // The choice is taken into the conference.
  await page.getByTestId('prejoin-join').click();
  await expect(page).toHaveURL(/\/conference$/);
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('konferenz.media')))!).speakerId).toBe(values[1]);
});
