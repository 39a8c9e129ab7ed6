import { ConferenceTab, expect, screenshot, test } from './conference-fixtures';

/**
 * The conference's notices in real browsers: a moderator hears a chime and sees a notice and the
 * tab title's count when someone starts waiting; everyone sees who joins and leaves; guests are
 * told when the moderator has left. Notices sit in a polite live region (role="status").
 */

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

const toasts = (tab: ConferenceTab) => tab.page.getByTestId('toast');

test('notices: waiting chime and title count for the moderator, join and leave toasts, "the moderator has left"', async ({ conf }, testInfo) => {
  test.setTimeout(120_000);
  const owner = await conf.roomOwner();
  await conf.setRoomSettings(owner, { admission: 'manual', moderatorLeaves: 'continue' });
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  await expectAdmitted(maria);
  await expect(maria.page.getByTestId('toasts')).toHaveAttribute('role', 'status');
  await expect(maria.page.getByTestId('toasts')).toHaveAttribute('data-chimes', '0');
  await expect(maria.page).toHaveTitle(/^(?!\()/);

  // Anna waits: the moderator gets a chime, a notice and "(1)" in the tab's title.
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  await expect(anna.page.getByTestId('waiting-room')).toBeVisible();
  await expect(maria.page.getByTestId('toasts')).toHaveAttribute('data-chimes', '1');
  await expect(toasts(maria).filter({ hasText: 'Anna Gast wartet auf Einlass.' })).toBeVisible();
  await expect(maria.page).toHaveTitle(/^\(1\) /);
  await screenshot(maria.page, testInfo, '32-notice-waiting');

  // Admitted: the title's count goes, and the moderator sees her join.
  await maria.page.getByTestId(`admit-${anna.id}`).click();
  await expectAdmitted(anna);
  await expect(maria.page).toHaveTitle(/^(?!\()/);
  await expect(toasts(maria).filter({ hasText: 'Anna Gast ist beigetreten.' })).toBeVisible();

  // Ben joins (admitted by the moderator); Anna sees him arrive.
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  await expect(maria.page.getByTestId('toasts')).toHaveAttribute('data-chimes', '2');
  await maria.page.getByTestId(`admit-${ben.id}`).click();
  await expectAdmitted(ben);
  await expect(toasts(anna).filter({ hasText: 'Ben Gast ist beigetreten.' })).toBeVisible();

  // Ben leaves: the others are told.
  await ben.page.getByTestId('leave').click();
  for (const tab of [maria, anna]) await expect(toasts(tab).filter({ hasText: 'Ben Gast hat die Konferenz verlassen.' })).toBeVisible();

  // The moderator leaves (the conference goes on): Anna is told the moderator has left.
  await maria.page.getByTestId('leave').click();
  await maria.page.getByTestId('leave-only').click(); // a moderator chooses: leave alone
  await expect(toasts(anna).filter({ hasText: 'Der Moderator hat die Konferenz verlassen.' })).toBeVisible();
  await expect(toasts(anna).filter({ hasText: 'Maria Moderatorin hat die Konferenz verlassen.' })).toBeVisible();
  await screenshot(anna.page, testInfo, '33-notice-moderator-left');

  // A notice can be dismissed at once.
  const count = await toasts(anna).count();
  await toasts(anna).first().getByRole('button', { name: 'Hinweis schließen' }).click();
  await expect(toasts(anna)).toHaveCount(count - 1);
});
