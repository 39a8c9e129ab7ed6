import { ConferenceTab, expect, screenshot, test } from './conference-fixtures';

/**
 * The in-meeting chat in three real browsers: messages to everyone, links made clickable safely,
 * the unread badge, the history for a late joiner, the server's rate limit and the moderator's
 * switch. The server's checks themselves (who may send, length, rate, history cap) have unit tests
 * beside the code (conference-chat.spec.ts, conference-requests.spec.ts).
 */

async function expectAdmitted(tab: ConferenceTab): Promise<void> {
  await expect(tab.page.getByTestId('conference-grid')).toBeVisible();
  await expect(tab.page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

async function openChat(tab: ConferenceTab): Promise<void> {
  await tab.page.getByTestId('toggle-chat').click();
  await expect(tab.page.getByTestId('chat-panel')).toBeVisible();
}

async function send(tab: ConferenceTab, text: string): Promise<void> {
  await tab.page.getByTestId('chat-input').fill(text);
  await tab.page.getByTestId('chat-input').press('Enter');
}

const texts = (tab: ConferenceTab) => tab.page.getByTestId('chat-text');

test('chat: messages reach everyone inside, links are safe, unread badge, history for late joiners, rate limit, moderator turns it off', async ({
  conf,
}, testInfo) => {
  test.setTimeout(150_000);
  const owner = await conf.roomOwner();
  const maria = await conf.join(owner.roomNumber, owner.moderatorPin, 'Maria Moderatorin', { cameraOff: true });
  const anna = await conf.join(owner.roomNumber, owner.participantPin, 'Anna Gast', { cameraOff: true });
  for (const tab of [maria, anna]) await expectAdmitted(tab);
  await expect(maria.page.getByTestId('chat-unread')).toHaveCount(0);

  // Anna writes; markup stays text, the address becomes a link that cannot reach back into the page.
  await openChat(anna);
  await send(anna, 'Hallo zusammen <b>fett?</b> Agenda: https://example.org/agenda?tag=1.');
  await expect(texts(anna)).toHaveText(['Hallo zusammen <b>fett?</b> Agenda: https://example.org/agenda?tag=1.']);
  await expect(anna.page.getByTestId('chat-input')).toHaveValue('');
  await expect(anna.page.getByTestId('chat-sender')).toHaveText(['Sie']);

  // Maria's chat is closed: the badge counts it; opening the panel reads it.
  await expect(maria.page.getByTestId('chat-unread')).toHaveText('1');
  await expect(maria.page.getByTestId('toggle-chat')).toHaveAccessibleName(/1 ungelesen/);
  await openChat(maria);
  await expect(maria.page.getByTestId('chat-unread')).toHaveCount(0);
  const message = maria.page.getByTestId('chat-message').first();
  await expect(message.getByTestId('chat-sender')).toHaveText('Anna Gast');
  await expect(message.locator('b')).toHaveCount(0);
  const link = message.getByRole('link', { name: 'https://example.org/agenda?tag=1' });
  await expect(link).toHaveAttribute('href', 'https://example.org/agenda?tag=1');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(maria.page.getByTestId('chat-input')).toHaveAttribute('maxlength', '1000');

  await send(maria, 'Willkommen! Wir fangen gleich an.');
  for (const tab of [maria, anna]) await expect(texts(tab)).toHaveCount(2);
  await expect(anna.page.getByTestId('chat-unread')).toHaveCount(0);

  // Ben comes later: the history is there for him, unread until he opens the chat.
  const ben = await conf.join(owner.roomNumber, owner.participantPin, 'Ben Gast', { cameraOff: true });
  await expectAdmitted(ben);
  await expect(ben.page.getByTestId('chat-unread')).toHaveText('2');
  await openChat(ben);
  await expect(texts(ben)).toHaveText([/^Hallo zusammen/, 'Willkommen! Wir fangen gleich an.']);
  await screenshot(maria.page, testInfo, '30-chat');

  // The server's rate limit: five messages in ten seconds, the sixth is refused with a clear message.
  for (let i = 1; i <= 5; i += 1) {
    await send(ben, `Nachricht ${i}`);
    await expect(texts(ben)).toHaveCount(2 + i);
  }
  await send(ben, 'Nachricht 6');
  await expect(ben.page.getByTestId('chat-problem')).toHaveText('Zu viele Nachrichten in kurzer Zeit. Bitte kurz warten.');
  await expect(ben.page.getByTestId('chat-input')).toHaveValue('Nachricht 6');
  for (const tab of [maria, anna, ben]) await expect(texts(tab)).toHaveCount(7);

  // The moderator turns the chat off: everyone sees it, nobody can write; guests have no switch.
  await expect(anna.page.getByTestId('chat-toggle-enabled')).toHaveCount(0);
  await expect(maria.page.getByTestId('chat-toggle-enabled')).toHaveText('Chat ausschalten');
  await maria.page.getByTestId('chat-toggle-enabled').click();
  for (const tab of [maria, anna, ben]) {
    await expect(tab.page.getByTestId('chat-disabled')).toHaveText('Der Moderator hat den Chat ausgeschaltet.');
    await expect(tab.page.getByTestId('chat-input')).toHaveCount(0);
    await expect(texts(tab)).toHaveCount(7);
  }
  await screenshot(anna.page, testInfo, '31-chat-disabled');
  await maria.page.getByTestId('chat-toggle-enabled').click();
  await expect(anna.page.getByTestId('chat-input')).toBeVisible();
  await send(anna, 'Danke!');
  for (const tab of [maria, anna, ben]) await expect(texts(tab)).toHaveCount(8);
  for (const tab of [maria, anna, ben]) await expect(tab.page.getByTestId('action-problem')).toHaveCount(0);
});
