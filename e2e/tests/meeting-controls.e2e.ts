import { expect, screenshot, test } from './conference-fixtures';

/**
 * Controls of a running meeting from the walkthrough of issue 14, two browsers each: the lock
 * button shows the room's state, and the waiting page's heading matches its text when the
 * moderator is present and admits by hand.
 */

test('manual admission: the waiting heading says "waiting to be let in"; the lock button and badge show the locked state', async ({ conf }, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  await conf.setRoomSettings(owner, { admission: 'manual', moderatorLeaves: 'continue' });
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible({ timeout: 20_000 });

  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  await expect(anna.page.getByTestId('waiting-room')).toBeVisible();
  await expect(anna.page.getByTestId('waiting-title')).toHaveText('Warten auf Einlass');
  await expect(anna.page.getByTestId('waiting-room')).toContainText('Der Moderator ist da und lässt Sie gleich herein.');
  await screenshot(anna.page, testInfo, 'waiting-moderator-present');

  // The panel shows the settings this conference runs with, and says account changes apply next time.
  await expect(maria.page.getByTestId('conference-settings')).toContainText('Änderungen im Konferenzcenter gelten ab der nächsten Konferenz.');

  const lock = maria.page.getByTestId('lock-toggle');
  const state = maria.page.getByTestId('lock-state');
  await expect(lock).toHaveText('Konferenzraum sperren');
  await expect(state).toHaveText('Offen');
  await lock.click();
  await expect(lock).toHaveText('Konferenzraum entsperren');
  await expect(lock).toHaveAttribute('data-locked', 'true');
  await expect(state).toHaveText('Gesperrt');
  await screenshot(maria.page, testInfo, 'moderator-room-locked');
  await lock.click();
  await expect(lock).toHaveText('Konferenzraum sperren');
  await expect(state).toHaveText('Offen');

  await maria.page.getByTestId(`admit-${anna.id}`).click();
  await expect(anna.page.getByTestId('conference-grid')).toBeVisible();
});

test('at 390 px the control bar stays pinned to the bottom of the screen, leave included, also scrolled to the end', async ({ conf }, testInfo) => {
  test.setTimeout(90_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await maria.page.setViewportSize({ width: 390, height: 844 });
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible({ timeout: 20_000 });
  const leave = maria.page.getByTestId('leave');
  for (const scrolled of [false, true]) {
    if (scrolled) await maria.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect(leave).toBeInViewport({ ratio: 1 });
    await expect(maria.page.getByTestId('toggle-mic')).toBeInViewport({ ratio: 1 });
  }
  // Nothing of the page hides behind the bar: the last control of the panel scrolls above it.
  const bar = await maria.page.locator('.controls').boundingBox();
  const end = await maria.page.getByTestId('end-conference').boundingBox();
  expect(end!.y + end!.height).toBeLessThanOrEqual(bar!.y);
  await screenshot(maria.page, testInfo, 'mobile-pinned-controls');
});

test('leave: a guest leaves at once; a moderator chooses leave or end for all, and ending for all is confirmed and ends the other browser', async ({
  conf,
}, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expect(maria.page.getByTestId('moderator-panel')).toBeVisible({ timeout: 20_000 });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  for (const tab of [anna, ben]) await expect(tab.page.getByTestId('conference-grid')).toBeVisible({ timeout: 20_000 });

  // A guest: no question.
  await ben.page.getByTestId('leave').click();
  await expect(ben.page.getByTestId('leave-dialog')).not.toBeVisible();
  await expect(ben.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'left');

  // The moderator: cancel changes nothing.
  const dialog = maria.page.getByTestId('leave-dialog');
  await maria.page.getByTestId('leave').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toHaveText('Konferenz verlassen?');
  await screenshot(maria.page, testInfo, 'leave-dialog');
  await dialog.getByTestId('leave-cancel').click();
  await expect(dialog).not.toBeVisible();
  await expect(maria.page.getByTestId('conference-grid')).toBeVisible();

  // End for all asks once more; "back" returns to the choice.
  await maria.page.getByTestId('leave').click();
  await dialog.getByTestId('end-for-all').click();
  await expect(dialog.getByRole('heading')).toHaveText('Konferenz für alle beenden?');
  await screenshot(maria.page, testInfo, 'end-for-all-confirm');
  await dialog.getByTestId('end-for-all-back').click();
  await expect(dialog.getByRole('heading')).toHaveText('Konferenz verlassen?');
  await expect(anna.page.getByTestId('conference-grid')).toBeVisible();
  await dialog.getByTestId('end-for-all').click();
  await dialog.getByTestId('end-for-all-confirm').click();
  await expect(anna.page.getByTestId('conference-ended')).toHaveAttribute('data-reason', 'ended-by-moderator');
  await expect(maria.page.getByTestId('conference-ended')).toBeVisible();
});
