import { ConferenceTab, expect, screenshot, test } from './conference-fixtures';

/**
 * Raise hand, built in the client alone on the generic participant attributes (key `hand`): what
 * one browser sets, the server shows to everyone, and a moderator clears. The server's own refusal
 * of moderator:clearAttributes from a guest (MODERATOR_ONLY) is tested in
 * server/test/conference-socket.test.ts; here the guest simply has no such control.
 */

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** Whether `viewer` shows `owner`'s hand raised, on the tile and in the participant list alike. */
async function expectHand(viewer: ConferenceTab, owner: ConferenceTab, raised: boolean): Promise<void> {
  const tile = viewer.tile(owner.id);
  const entry = viewer.page.getByTestId(`participant-${owner.id}`);
  await expect(tile).toHaveAttribute('data-hand', String(raised));
  await expect(entry).toHaveAttribute('data-hand', String(raised));
  await expect(tile.getByTestId('hand-marker')).toHaveCount(raised ? 1 : 0);
  await expect(entry.getByTestId('hand-marker')).toHaveCount(raised ? 1 : 0);
  if (raised) await expect(entry.getByTestId('hand-marker')).toHaveText('Hand gehoben');
}

/** The own toggle: pressed and labelled with what pressing it does next. */
async function expectToggle(tab: ConferenceTab, raised: boolean): Promise<void> {
  const toggle = tab.page.getByTestId('toggle-hand');
  await expect(toggle).toHaveAttribute('aria-pressed', String(raised));
  await expect(toggle).toHaveText(raised ? 'Hand senken' : 'Hand heben');
}

test('a guest raises a hand: everyone sees it, the moderator sees the order and lowers one or all; a guest cannot lower anyone', async ({ conf }, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  // Only signalling matters here: cameras off, to spare the CPU.
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  for (const tab of [maria, anna]) await expectAdmitted(tab);
  for (const tab of [maria, anna]) {
    await expectToggle(tab, false);
    for (const other of [maria, anna]) await expectHand(tab, other, false);
  }
  await expect(maria.page.getByTestId('raised-hands')).toHaveCount(0);

  // Anna raises her hand with the keyboard alone.
  await anna.page.getByTestId('toggle-hand').focus();
  await anna.page.keyboard.press('Space');
  await expectToggle(anna, true);
  for (const viewer of [anna, maria]) await expectHand(viewer, anna, true);
  await expect(maria.page.getByTestId(`raised-hand-${anna.id}`)).toBeVisible();

  // A guest has no control to lower anyone's hand, not even in the list.
  await expect(anna.page.getByTestId('moderator-panel')).toHaveCount(0);
  await expect(anna.page.locator('[data-testid^="lower-hand-"], [data-testid="lower-all-hands"], [data-testid="raised-hands"]')).toHaveCount(0);

  // She lowers it herself, and raises it again.
  await anna.page.getByTestId('toggle-hand').click();
  await expectToggle(anna, false);
  for (const viewer of [anna, maria]) await expectHand(viewer, anna, false);
  await expect(maria.page.getByTestId('raised-hands')).toHaveCount(0);
  await anna.page.getByTestId('toggle-hand').click();
  for (const viewer of [anna, maria]) await expectHand(viewer, anna, true);

  // The moderator raises hers after Anna: the moderator's list shows Anna first.
  await maria.page.getByTestId('toggle-hand').click();
  await expectToggle(maria, true);
  for (const viewer of [anna, maria]) await expectHand(viewer, maria, true);
  const hands = maria.page.getByTestId('raised-hands').getByRole('listitem');
  await expect(hands).toHaveText([/^1\. Anna Gast/, /^2\. Maria Moderatorin/]);
  await expect(maria.page.getByTestId(`lower-hand-${anna.id}`)).toHaveAccessibleName('Hand von Anna Gast senken');
  await screenshot(maria.page, testInfo, '26-raised-hands');

  // The moderator lowers Anna's hand: gone for both, her own stays up.
  await maria.page.getByTestId(`lower-hand-${anna.id}`).click();
  for (const viewer of [anna, maria]) {
    await expectHand(viewer, anna, false);
    await expectHand(viewer, maria, true);
  }
  await expectToggle(anna, false);
  await expect(hands).toHaveText([/^1\. Maria Moderatorin/]);

  // Anna raises it again; "lower all" lowers every hand, the moderator's own included.
  await anna.page.getByTestId('toggle-hand').click();
  await expect(hands).toHaveText([/^1\. Maria Moderatorin/, /^2\. Anna Gast/]);
  await maria.page.getByTestId('lower-all-hands').click();
  for (const viewer of [anna, maria]) {
    await expectHand(viewer, anna, false);
    await expectHand(viewer, maria, false);
  }
  for (const tab of [maria, anna]) await expectToggle(tab, false);
  await expect(maria.page.getByTestId('raised-hands')).toHaveCount(0);
  await expect(maria.page.getByTestId('action-problem')).toHaveCount(0);
});
