import { expect, screenshot, test, type ConferenceTab } from './conference-fixtures';

/**
 * The room setting "mute on entry" (muteOnEntry) with real browsers and real media: guests the
 * setting mutes enter with their microphone paused on the server, so nobody hears them, are told
 * why, and unmute themselves; moderators are never muted. Cameras stay off: audio is what counts.
 */

async function expectInside(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible({ timeout: 20_000 });
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** Everyone sees `tab` muted (or not), from the server's view, and `tab` its own microphone off (or on). */
async function expectMuted(tab: ConferenceTab, viewers: ConferenceTab[], muted: boolean): Promise<void> {
  await expect(tab.page.getByTestId('toggle-mic')).toHaveAttribute('aria-pressed', String(!muted));
  for (const viewer of viewers) await expect(viewer.page.getByTestId(`participant-${tab.id}`)).toHaveAttribute('data-muted', String(muted));
}

test("'after 1', set in the Konferenzcenter: the first guest enters as chosen and is heard, the second enters muted, is not heard, is told why, and unmutes himself", async ({
  conf,
}, testInfo) => {
  test.setTimeout(150_000);
  const owner = await conf.roomOwner();
  const ownerTab = await conf.ownerTab(owner);

  // The form refuses a count outside 1..99 beside the field, then saves "after 1".
  await ownerTab.page.goto('/account');
  const form = ownerTab.page.getByTestId('room-settings-form');
  await expect(form.getByTestId('mute-on-entry-off')).toBeChecked();
  await expect(form.getByTestId('mute-on-entry-guests')).toHaveCount(0);
  await form.getByTestId('mute-on-entry-after').check();
  await form.getByTestId('mute-on-entry-guests').fill('0');
  await ownerTab.page.getByTestId('room-settings-submit').click();
  await expect(form).toContainText('Bitte eine ganze Zahl von 1 bis 99 angeben.');
  await form.getByTestId('mute-on-entry-guests').fill('1');
  await ownerTab.page.getByTestId('room-settings-submit').click();
  await expect(ownerTab.page.getByTestId('room-settings-success')).toBeVisible();
  await screenshot(ownerTab.page, testInfo, 'mute-on-entry-settings');
  const saved = await owner.api.get('/api/account/room-settings');
  expect(await saved.json()).toEqual({
    admission: 'all-on-moderator',
    moderatorLeaves: 'continue',
    muteOnEntry: { mode: 'after', guests: 1 },
    entryExitTones: true,
  });

  const maria = await conf.hostFromAccount(owner, ownerTab);
  await expectInside(maria);
  await expect(maria.page.getByTestId('conference-settings')).toContainText('Stummgeschaltet beitreten: Teilnehmer nach den ersten 1');
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  await expectInside(anna);
  await expect.poll(async () => (await maria.inboundByParticipant())[anna.id]?.audio ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  await expectInside(ben);

  // Maria (moderator) and Anna (first guest) as they chose; Ben muted, and told it is the room's setting.
  await expectMuted(maria, [anna, ben], false);
  await expectMuted(anna, [maria, ben], false);
  await expectMuted(ben, [maria, anna], true);
  await expect(ben.page.getByTestId('muted-on-entry')).toHaveText(
    'Sie sind stummgeschaltet beigetreten (Einstellung dieses Konferenzraums). Sie können die Stummschaltung selbst aufheben.',
  );
  await expect(anna.page.getByTestId('muted-on-entry')).toHaveCount(0);
  await expect(ben.page.getByTestId('muted-by-moderator')).toHaveCount(0);
  await screenshot(ben.page, testInfo, 'muted-on-entry');

  // Ben's audio never reaches the others, while Anna's does.
  const [atMaria, atAnna] = await Promise.all([maria.expectSilenceFrom(ben, anna), anna.expectSilenceFrom(ben, maria)]);
  expect({ atMaria, atAnna }, "bytes of Ben's audio received").toEqual({ atMaria: 0, atAnna: 0 });

  // He unmutes himself and is heard.
  await ben.page.getByTestId('toggle-mic').click();
  await expect(ben.page.getByTestId('muted-on-entry')).toHaveCount(0);
  await expectMuted(ben, [maria, anna], false);
  await Promise.all([maria.expectReceiving([ben], { video: false }), anna.expectReceiving([ben], { video: false })]);
});

test("'all': every guest enters muted and is not heard until he unmutes; the moderator never is", async ({ conf }) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  await conf.setRoomSettings(owner, { admission: 'all-on-moderator', moderatorLeaves: 'continue', muteOnEntry: { mode: 'all' } });
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expectInside(maria);
  await expect(maria.page.getByTestId('conference-settings')).toContainText('Stummgeschaltet beitreten: alle Teilnehmer');
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  await expectInside(anna);

  await expectMuted(maria, [anna], false);
  await expectMuted(anna, [maria], true);
  await expect(anna.page.getByTestId('muted-on-entry')).toBeVisible();
  // Maria is heard; Anna is not (with two in the room, nobody else speaks for Maria to compare with).
  await anna.expectReceiving([maria], { video: false });
  expect(await maria.expectSilenceFrom(anna), "bytes of Anna's audio at Maria").toBe(0);

  await anna.page.getByTestId('toggle-mic').click();
  await expectMuted(anna, [maria], false);
  await maria.expectReceiving([anna], { video: false });
});
