import { formatRoomNumber } from '@konferenz/shared';
import { expect, screenshot, test } from './conference-fixtures';

/**
 * "Invite" from inside the meeting (issue 14): the moderator copies the whole invitation (room
 * number, participant PIN, dial-in numbers, SIP URI, the link with the room filled in), a guest only
 * the link; the copied link opens the join page with the room filled in. Copied through the real
 * clipboard (the contexts are granted its permissions), by mouse and by keyboard.
 */

test('invite: the moderator copies the whole invitation, a guest only the link without the PIN, and the link opens the join page with the room filled in', async ({
  conf,
}, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible({ timeout: 20_000 });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  await expect(anna.page.getByTestId('conference-grid')).toBeVisible({ timeout: 20_000 });
  for (const tab of [maria, anna]) await tab.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const link = new URL(`/join?room=${owner.roomNumber}`, maria.page.url()).href;
  const clipboard = (page: typeof maria.page) => page.evaluate(() => navigator.clipboard.readText());

  // The moderator: the whole invitation, copied with a visible confirmation.
  await maria.page.getByTestId('open-invite').click();
  const dialog = maria.page.getByTestId('invite-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('invite-link')).toHaveValue(link);
  await dialog.getByTestId('copy-invite-text').click();
  await expect(dialog.getByTestId('copy-invite-text-state')).toHaveText('Die Einladung ist in der Zwischenablage.');
  const invitation = await clipboard(maria.page);
  expect(invitation).toContain(`Konferenzraum-Nr.: ${formatRoomNumber(owner.roomNumber)}\nTeilnehmer-PIN: ${owner.participantPin}\n`);
  expect(invitation).toContain('Per Telefon teilnehmen: +49 30 1234567, +41 44 1234567\n');
  expect(invitation).toMatch(new RegExp(`Per SIP teilnehmen: sip:${owner.roomNumber}@[^\\s]+:\\d+\\n`));
  expect(invitation).toContain(`Im Browser teilnehmen: ${link}\n`);
  await expect(dialog.getByTestId('invite-text')).toHaveValue(invitation);
  await screenshot(maria.page, testInfo, 'invite-dialog');
  await dialog.getByTestId('copy-invite-link').click();
  await expect(dialog.getByTestId('copy-invite-link-state')).toHaveText('Der Link ist in der Zwischenablage.');
  expect(await clipboard(maria.page)).toBe(link);
  await maria.page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
  await expect(maria.page.getByTestId('open-invite')).toBeFocused();

  // The guest, by keyboard only: the link, and nowhere the participant PIN.
  await anna.page.getByTestId('open-invite').focus();
  await anna.page.keyboard.press('Enter');
  const guestDialog = anna.page.getByTestId('invite-dialog');
  await expect(guestDialog).toBeVisible();
  await expect(guestDialog.getByTestId('invite-link')).toBeFocused();
  await anna.page.keyboard.press('Tab');
  await expect(guestDialog.getByTestId('copy-invite-link')).toBeFocused();
  await anna.page.keyboard.press('Enter');
  await expect(guestDialog.getByTestId('copy-invite-link-state')).toHaveText('Der Link ist in der Zwischenablage.');
  const guestCopy = await clipboard(anna.page);
  expect(guestCopy).toBe(link);
  await expect(guestDialog.getByTestId('invite-text')).toHaveCount(0);
  await expect(guestDialog).toContainText('Die Teilnehmer-PIN erhalten neue Teilnehmer vom Moderator.');
  expect(await guestDialog.innerText()).not.toContain(owner.participantPin);
  await screenshot(anna.page, testInfo, 'invite-dialog-guest');

  // The copied link, opened elsewhere: the join page with the room filled in.
  const newcomer = await conf.newTab();
  await newcomer.page.goto(guestCopy);
  await expect(newcomer.page.getByTestId('roomNumber')).toHaveValue(owner.roomNumber);
  await expect(newcomer.page.getByTestId('pin')).toHaveValue('');
});

test('invite at 390 px: the dialog fits the screen and both copy buttons can be reached', async ({ conf }, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await maria.page.setViewportSize({ width: 390, height: 844 });
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible({ timeout: 20_000 });
  await maria.page.getByTestId('open-invite').click();
  const dialog = maria.page.getByTestId('invite-dialog');
  await expect(dialog).toBeVisible();
  const box = (await dialog.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  for (const button of ['copy-invite-link', 'copy-invite-text', 'invite-close']) {
    await dialog.getByTestId(button).scrollIntoViewIfNeeded();
    await expect(dialog.getByTestId(button)).toBeInViewport({ ratio: 1 });
  }
  await screenshot(maria.page, testInfo, 'invite-dialog-mobile');
});
