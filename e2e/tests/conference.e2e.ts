import { randomInt } from 'node:crypto';
import { ConferenceTab, expect, joinFromAddress, mediasoupWorkers, screenshot, serverPid, storedJoin, test } from './conference-fixtures';

/**
 * The conference room in the browser, with real media: Debian's Chromium with fake camera and
 * microphone, the server's mediasoup worker, everything on 127.0.0.1. Each participant has a
 * browser context of their own; each test a freshly registered customer (through the API) and
 * so a room of its own. Media is checked by the bytes each browser receives, per sender.
 *
 * The server runs with MODERATOR_GRACE_SECONDS=3 and one mediasoup worker (playwright.config.ts).
 */

const GRACE_MS = 3_000;
const WRONG_ROOM_OR_PIN = 'Konferenzraum-Nr. oder PIN ist falsch.';
/** What the PIN field adds about this browser's tries left (PIN_MAX_FAILURES_PER_SOURCE is 5). */
const TRIES_LEFT = ['Noch 4 Versuche.', 'Noch 3 Versuche.', 'Noch 2 Versuche.', 'Noch ein Versuch.', 'Keine Versuche mehr.'];

/** Tiles of participants' cameras (or their names), shared screens excluded. */
const cameraTiles = (tab: ConferenceTab) => tab.page.locator('[data-testid^="tile-"]:not([data-testid^="tile-screen-"])');

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('waiting-room')).toHaveCount(0);
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** Nothing arrives and nothing could: no open peer connection, the counters stay at zero, for ~2 s. */
async function expectNoMedia(tab: ConferenceTab): Promise<void> {
  await expect.poll(async () => (await tab.peerConnections()).open, { message: `${tab.displayName} has no open media connection` }).toBe(0);
  for (let sample = 0; sample < 5; sample++) {
    if (sample > 0) await tab.page.waitForTimeout(500);
    expect(await tab.stats()).toEqual({
      inboundAudioBytes: 0,
      inboundVideoBytes: 0,
      outboundAudioBytes: 0,
      outboundVideoBytes: 0,
      consumers: 0,
    });
    expect((await tab.peerConnections()).open).toBe(0);
  }
}

test('a participant who comes first waits without media; the moderator lets them in, media flows both ways, a third goes straight in', async ({
  conf,
}, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();

  // Anna comes first: the waiting room, and no media at all.
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { prejoinScreenshot: '20-prejoin' });
  expect(anna.join.role).toBe('participant');
  await expect(anna.page.getByTestId('waiting-room')).toBeVisible();
  await expect(anna.page.getByTestId('waiting-count')).toHaveText('1');
  await expect(anna.page.getByTestId('conference-grid')).toHaveCount(0);
  await expect(anna.page.getByTestId('toggle-mic')).toHaveCount(0);
  await screenshot(anna.page, testInfo, '21-waiting-room');
  await expectNoMedia(anna);
  await expect(anna.page.getByTestId('waiting-room')).toBeVisible();

  // The moderator arrives (room number and moderator PIN): Anna is admitted at once (the default
  // admission policy), and each receives the other's audio and video.
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin');
  expect(maria.join.role).toBe('moderator');
  await expectAdmitted(maria);
  await expectAdmitted(anna);
  await expect(anna.tile(maria.id)).toBeVisible();
  await expect(maria.tile(anna.id)).toBeVisible();
  await Promise.all([anna.expectReceiving([maria]), maria.expectReceiving([anna])]);
  await expect(anna.tile(maria.id)).toHaveAttribute('data-video', 'true');
  await expect(maria.tile(anna.id)).toHaveAttribute('data-video', 'true');

  // Ben comes while the moderator is there: straight in, no waiting room (camera off, to spare the CPU).
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  await expectAdmitted(ben);
  expect(await ben.everShown('waiting-room'), 'Ben never saw the waiting room').toBe(false);
  expect(await anna.everShown('waiting-room'), 'Anna did, at first').toBe(true);
  for (const tab of [maria, anna, ben]) {
    await expect(cameraTiles(tab)).toHaveCount(3);
    for (const other of [maria, anna, ben]) await expect(tab.tile(other.id)).toBeVisible();
    await expect(tab.page.getByTestId('participant-list').locator('[data-testid^="participant-"]')).toHaveCount(3);
  }
  await expect(maria.tile(ben.id)).toHaveAttribute('data-video', 'false');
  await Promise.all([ben.expectReceiving([maria, anna]), maria.expectReceiving([ben], { video: false }), anna.expectReceiving([ben], { video: false })]);
  // Nobody was ever in the moderator's waiting list.
  expect(await maria.everShown('waiting-list')).toBe(false);
  await screenshot(anna.page, testInfo, '22-conference');
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible();
  await expect(anna.page.getByTestId('moderator-panel')).toHaveCount(0);
  await screenshot(maria.page, testInfo, '23-moderator-panel');
});

test('the moderator mutes a participant: everyone sees it, and their audio stops at the server until they unmute', async ({ conf }, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  // Audio is what matters here: cameras stay off.
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  for (const tab of [maria, anna, ben]) await expectAdmitted(tab);
  await Promise.all([maria.expectReceiving([anna, ben], { video: false }), ben.expectReceiving([anna], { video: false })]);

  // Participants have no moderator controls at all; the moderator has them.
  for (const tab of [anna, ben]) {
    await expect(tab.page.getByTestId('moderator-panel')).toHaveCount(0);
    await expect(tab.page.locator('[data-testid^="mute-"], [data-testid^="remove-"], [data-testid^="admit-"]')).toHaveCount(0);
  }
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible();
  const muteAnna = maria.page.getByTestId(`mute-${anna.id}`);
  await expect(muteAnna).toBeEnabled();

  await muteAnna.click();

  // Anna is told, and her own controls show the microphone off.
  await expect(anna.page.getByTestId('muted-by-moderator')).toBeVisible();
  await expect(anna.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', 'false');
  await expect(anna.tile()).toHaveAttribute('data-muted', 'true');
  // Everyone else sees it too, from the server's view (the participant list shows the server's microphone state).
  for (const viewer of [maria, ben]) {
    await expect(viewer.tile(anna.id)).toHaveAttribute('data-muted', 'true');
    await expect(viewer.page.getByTestId(`participant-${anna.id}`)).toHaveAttribute('data-muted', 'true');
    await expect(viewer.tile(ben.id === viewer.id ? maria.id : ben.id)).toHaveAttribute('data-muted', 'false');
  }
  await expect(muteAnna).toBeDisabled();
  await screenshot(anna.page, testInfo, '24-muted-by-moderator');

  // Her audio no longer reaches anyone, while Ben's still does: her producer is paused on the server.
  for (const heardBefore of await Promise.all([maria.expectSilenceFrom(anna, ben), ben.expectSilenceFrom(anna, maria)])) {
    expect(heardBefore, "Anna's audio had arrived before").toBeGreaterThan(0);
  }

  // Only she can unmute herself; then she is heard again.
  await anna.page.getByTestId('toggle-mic').click();
  await expect(anna.page.getByTestId('muted-by-moderator')).toHaveCount(0);
  await expect(anna.tile()).toHaveAttribute('data-muted', 'false');
  await expect(maria.tile(anna.id)).toHaveAttribute('data-muted', 'false');
  await expect(muteAnna).toBeEnabled();
  await maria.expectReceiving([anna], { video: false });
});

test('a wrong PIN is refused at the PIN field before the device check, like an unknown room, with the tries left; five failures lock this source out until a time the field tells, another source still gets in', async ({
  conf,
}, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  const { page } = await conf.newTab();
  const pinError = page.locator('.field', { has: page.getByTestId('pin') }).locator('.error');

  /** One try through the join page; returns what the page says at the PIN field and what the API answered. */
  async function tryJoin(roomNumber: string, pin: string) {
    await page.goto(`/join?room=${roomNumber}`);
    await page.getByTestId('pin').fill(pin);
    await page.getByTestId('displayName').fill('Mallory Rate');
    const answer = page.waitForResponse((response) => response.url().endsWith('/api/conference/join'));
    await page.getByTestId('join-submit').click();
    const response = await answer;
    await expect(pinError).toBeVisible();
    await expect(page.getByTestId('pin')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('roomNumber')).not.toHaveAttribute('aria-invalid', 'true');
    // Refused before the device check: no camera or microphone was asked for.
    await expect(page.getByTestId('prejoin')).toHaveCount(0);
    return { message: (await pinError.innerText()).trim(), status: response.status(), body: await response.json() };
  }

  let unknownRoom: string;
  do unknownRoom = String(randomInt(10_000_000, 100_000_000));
  while (unknownRoom === owner.roomNumber);

  // An unknown room and a wrong PIN look exactly alike, on the page and on the wire.
  const unknown = await tryJoin(unknownRoom, owner.participantPin);
  const wrong = await tryJoin(owner.roomNumber, owner.wrongPin);
  expect(wrong.message).toBe(`${WRONG_ROOM_OR_PIN} ${TRIES_LEFT[0]}`);
  expect(unknown.message).toBe(wrong.message);
  expect(unknown.status).toBe(wrong.status);
  expect(unknown.body).toEqual(wrong.body);
  expect(wrong.body).toMatchObject({ code: 'INVALID_ROOM_OR_PIN', attemptsLeft: 4 });
  await screenshot(page, testInfo, '25-join-wrong-pin');

  // Four more failures from this browser make five.
  for (let failure = 2; failure <= 5; failure++) {
    expect((await tryJoin(owner.roomNumber, owner.wrongPin)).message, `failure ${failure}`).toBe(`${WRONG_ROOM_OR_PIN} ${TRIES_LEFT[failure - 1]}`);
  }
  // Now even the right PIN is refused from this source, with the time the lockout ends, in the browser's time zone.
  const locked = await tryJoin(owner.roomNumber, owner.participantPin);
  expect(locked.status).toBe(429);
  expect(locked.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', retryAt: expect.any(String) });
  const timeZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const until = new Intl.DateTimeFormat('de', { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(locked.body.retryAt));
  expect(locked.message).toBe(`Zu viele Versuche. Wieder möglich ab ${until} Uhr.`);
  await screenshot(page, testInfo, '27-join-locked-out');
  await expect(page.getByTestId('prejoin')).toHaveCount(0);

  // The lockout is per source: from 127.0.0.1 (as the browser) still locked, from 127.0.0.2 the PIN works.
  const body = { roomNumber: owner.roomNumber, pin: owner.participantPin, displayName: 'Zweite Quelle' };
  const sameSource = await joinFromAddress(conf.baseURL, '127.0.0.1', body);
  expect(sameSource.status).toBe(429);
  expect(sameSource.body).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  const otherSource = await joinFromAddress(conf.baseURL, '127.0.0.2', body);
  expect(otherSource.status, JSON.stringify(otherSource.body)).toBe(200);
  expect(otherSource.body).toMatchObject({ role: 'participant', roomNumber: owner.roomNumber, displayName: 'Zweite Quelle' });
  expect(otherSource.body.token).toEqual(expect.any(String));
});

test('when the moderator leaves: end, continue (a reload rejoins without the PIN), back to the waiting room after the grace period', async ({ conf }) => {
  test.setTimeout(150_000);
  const owner = await conf.roomOwner();
  const ownerTab = await conf.ownerTab(owner);

  // "end", chosen in the Konferenzcenter's room settings form.
  await ownerTab.page.goto('/account');
  const form = ownerTab.page.getByTestId('room-settings-form');
  await expect(form.getByTestId('moderator-leaves-continue')).toBeChecked();
  await form.getByTestId('admission-all-on-moderator').check();
  await form.getByTestId('moderator-leaves-end').check();
  // The callers' entry and exit tones: on unless turned off, saved with the rest.
  await expect(form.getByTestId('entry-exit-tones')).toBeChecked();
  await form.getByTestId('entry-exit-tones').uncheck();
  await ownerTab.page.getByTestId('room-settings-submit').click();
  await expect(ownerTab.page.getByTestId('room-settings-success')).toBeVisible();
  const saved = await owner.api.get('/api/account/room-settings');
  expect(await saved.json()).toEqual({ admission: 'all-on-moderator', moderatorLeaves: 'end', muteOnEntry: { mode: 'off' }, entryExitTones: false });

  await test.step('end: the conference ends for everyone when the moderator leaves', async () => {
    const maria = await conf.hostFromAccount(owner, ownerTab);
    const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
    await expectAdmitted(maria);
    await expectAdmitted(anna);
    await expect(anna.tile(maria.id)).toBeVisible();
    await maria.page.getByTestId('leave').click();
    await maria.page.getByTestId('leave-only').click(); // a moderator chooses: leave alone
    await expect(maria.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'left');
    await expect(anna.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'moderator-left');
    // Her token is spent: a reload leads to the join page, not back in.
    await anna.page.reload();
    await expect(anna.page).toHaveURL(/\/join/);
    await anna.close();
  });

  await test.step('continue: the others stay; a reload within the token lifetime rejoins without the PIN', async () => {
    await conf.setRoomSettings(owner, { admission: 'all-on-moderator', moderatorLeaves: 'continue' });
    const maria = await conf.hostFromAccount(owner, ownerTab);
    const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast');
    await expectAdmitted(ben);
    await Promise.all([ben.expectReceiving([maria]), maria.expectReceiving([ben])]);

    // Reload: straight back into the conference (no join page, no PIN), same participant, media again.
    await ben.page.reload();
    await expect(ben.page).toHaveURL(/\/conference$/);
    await expectAdmitted(ben);
    expect((await storedJoin(ben.page)).participantId).toBe(ben.id);
    expect(await ben.everShown('waiting-room'), 'no waiting room after the reload').toBe(false);
    expect(await ben.everShown('join-form'), 'no join page after the reload').toBe(false);
    await expect(cameraTiles(ben)).toHaveCount(2);
    await expect(cameraTiles(maria)).toHaveCount(2);
    await Promise.all([ben.expectReceiving([maria]), maria.expectReceiving([ben])]);
    await expect(ben.page.getByTestId('audio-blocked')).toHaveCount(0);

    // The moderator leaves: Ben stays in the conference, alone.
    await maria.page.getByTestId('leave').click();
    await maria.page.getByTestId('leave-only').click(); // a moderator chooses: leave alone
    await expect(maria.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'left');
    await expect(ben.page.getByTestId(`participant-${maria.id}`)).toHaveCount(0);
    await expect(cameraTiles(ben)).toHaveCount(1);
    await expectAdmitted(ben);
    await expect(ben.page.getByTestId('conference-ended')).toHaveCount(0);
    await ben.page.getByTestId('leave').click();
    await expect(ben.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'left');
    await ben.close();
  });

  await test.step('back-to-waiting: a dropped moderator counts as gone after the grace period; back, they admit everyone again', async () => {
    await conf.setRoomSettings(owner, { admission: 'all-on-moderator', moderatorLeaves: 'back-to-waiting' });
    const maria = await conf.hostFromAccount(owner, ownerTab);
    const carla = await conf.join(owner.roomNumber, owner.participantPin, 'Carla Gast');
    await expectAdmitted(carla);
    await carla.expectReceiving([maria]);

    // The moderator's connection drops (tab closed, no "leave"): nothing changes during the grace period ...
    const droppedAt = Date.now();
    await maria.page.close();
    await expect(carla.page.getByTestId('conference-grid')).toBeVisible();
    await expect(carla.page.getByTestId(`participant-${maria.id}`)).toBeVisible();
    // ... then Carla is back in the waiting room, and her media is gone.
    await expect(carla.page.getByTestId('waiting-room')).toBeVisible({ timeout: GRACE_MS + 10_000 });
    expect(Date.now() - droppedAt, 'the grace period was waited for').toBeGreaterThanOrEqual(GRACE_MS - 500);
    await expect(carla.page.getByTestId('waiting-count')).toHaveText('1');
    await expectNoMedia(carla);

    // The moderator comes back: everyone waiting is admitted again, media flows again.
    const back = await conf.hostFromAccount(owner, { context: ownerTab.context, page: await ownerTab.context.newPage() });
    await expectAdmitted(carla);
    await Promise.all([carla.expectReceiving([back]), back.expectReceiving([carla])]);

    // Ending the conference ends it for everyone.
    await back.page.getByTestId('end-conference').click();
    await back.page.getByTestId('end-dialog').getByTestId('end-for-all-confirm').click();
    await expect(carla.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'ended-by-moderator');
    await expect(back.page.getByTestId('conference-ended')).toBeVisible();
  });
});

test('killing the mediasoup worker mid-call: media flows again within 10 seconds', async ({ conf }) => {
  test.setTimeout(90_000);
  const server = serverPid(Number(new URL(conf.baseURL).port));
  const workersBefore = mediasoupWorkers(server);
  expect(workersBefore, `mediasoup workers of the server (pid ${server})`).toHaveLength(1); // MEDIA_WORKERS=1
  const [worker] = workersBefore as [number];

  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin');
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast');
  await expectAdmitted(anna);
  await Promise.all([maria.expectReceiving([anna]), anna.expectReceiving([maria])]);
  const before = await Promise.all([maria.peerConnections(), anna.peerConnections()]);

  process.kill(worker, 'SIGKILL');
  const killedAt = Date.now();

  // Each browser sets up new transports and receives audio and video again, within 10 s of the kill.
  await Promise.all(
    [
      [maria, anna, before[0]],
      [anna, maria, before[1]],
    ].map(async ([tab, other, connections]) => {
      const viewer = tab as ConferenceTab;
      const sender = other as ConferenceTab;
      await expect(async () => {
        expect((await viewer.peerConnections()).created, 'new transports').toBeGreaterThan((connections as { created: number }).created);
        const first = (await viewer.inboundByParticipant())[sender.id];
        await viewer.page.waitForTimeout(500);
        const second = (await viewer.inboundByParticipant())[sender.id];
        expect(second?.audio ?? 0).toBeGreaterThan(first?.audio ?? 0);
        expect(second?.video ?? 0).toBeGreaterThan(first?.video ?? 0);
      }).toPass({ timeout: Math.max(killedAt + 10_000 - Date.now(), 1), intervals: [250] });
    }),
  );
  const recoveredAfter = Date.now() - killedAt;
  expect(recoveredAfter, 'media back within 10 s').toBeLessThan(10_000);
  test.info().annotations.push({ type: 'media restored after', description: `${recoveredAfter} ms` });

  // A new worker took the dead one's place; both stay connected, with fresh consumers.
  await expect.poll(() => mediasoupWorkers(server)).toHaveLength(1);
  expect(mediasoupWorkers(server)).not.toContain(worker);
  for (const tab of [maria, anna]) {
    await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
    expect((await tab.stats()).consumers).toBeGreaterThanOrEqual(2);
  }
});
