import { randomBytes } from 'node:crypto';
import { CSRF_HEADER } from '@konferenz/shared';
import { expect, screenshot, test } from './fixtures';

/**
 * "Forgot password?" as a customer uses it: from the login page, by username, the link from the
 * mail, a new password; the old one and every session that used it stop working.
 */

const OLD_PASSWORD = 'Blauer-Kranich-47';
const NEW_PASSWORD = 'Gelber-Reiher-2026';
const RESET_SUBJECT = /Passwort zurücksetzen/;
const CHANGED_SUBJECT = /Ihr Passwort wurde geändert/;

test('forgot password: request the link on the login page, set a new password, old sessions end', async ({ page, browser, mailInbox }, testInfo) => {
  const suffix = randomBytes(4).toString('hex');
  const customer = { username: `max.${suffix}`, email: `max.${suffix}@example.test` };
  const registered = await page.request.post('/api/accounts', {
    headers: { [CSRF_HEADER]: '1' },
    data: {
      ...customer,
      password: OLD_PASSWORD,
      firstName: 'Max',
      lastName: 'Mustermann',
      language: 'de',
      address: { street: 'Heidestraße', houseNumber: '17a', postalCode: '10557', city: 'Berlin', country: 'DE' },
    },
  });
  expect(registered.status()).toBe(202);
  await mailInbox.waitForMail(customer.email, /Willkommen bei Konferenz/);

  // A session from before the reset, in another browser.
  const otherBrowser = await browser.newContext();
  const oldSession = await otherBrowser.newPage();
  await oldSession.goto('/login');
  await oldSession.getByLabel('Benutzername oder E-Mail-Adresse', { exact: true }).fill(customer.username);
  await oldSession.getByLabel('Passwort', { exact: true }).fill(OLD_PASSWORD);
  await oldSession.getByTestId('login-submit').click();
  await expect(oldSession).toHaveURL(/\/setup-pins$/);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel('Benutzername oder E-Mail-Adresse', { exact: true }).fill(customer.username);
  await page.getByTestId('forgot-password-submit').click();
  await expect(page.getByTestId('forgot-password-success')).toContainText('Falls es zu dieser Angabe ein Konto gibt');
  await screenshot(page, testInfo, 'password-reset-01-requested');

  const mail = await mailInbox.waitForMail(customer.email, RESET_SUBJECT);
  expect(mail.text).toContain('Hallo Max Mustermann,');
  const link = /http:\/\/\S+\/reset-password\?token=[0-9a-f]{64}/.exec(mail.text)?.[0];
  expect(link, `reset link in the mail text:\n${mail.text}`).toBeDefined();

  await page.goto(link!);
  await expect(page).toHaveURL(/\/reset-password$/); // the token leaves the address bar
  // The rules of the registration apply: a common password is refused at once.
  await page.getByLabel('Neues Passwort', { exact: true }).fill('passwort123');
  await page.getByTestId('reset-password-submit').click();
  await expect(page.getByTestId('reset-password-error')).toBeVisible();
  await page.getByLabel('Neues Passwort', { exact: true }).fill(NEW_PASSWORD);
  await page.getByTestId('reset-password-submit').click();
  await expect(page.getByTestId('reset-password-success')).toContainText('Ihr neues Passwort ist gespeichert');
  await screenshot(page, testInfo, 'password-reset-02-saved');
  await mailInbox.waitForMail(customer.email, CHANGED_SUBJECT);

  // The link works once.
  await page.goto(link!);
  await page.getByLabel('Neues Passwort', { exact: true }).fill('Noch-ein-Passwort-99');
  await page.getByTestId('reset-password-submit').click();
  await expect(page.getByTestId('reset-password-error')).toContainText('bereits benutzt');

  // The old session is over; the new password logs in.
  await oldSession.reload();
  await expect(oldSession).toHaveURL(/\/login$/);
  await otherBrowser.close();
  await page.goto('/login');
  await page.getByLabel('Benutzername oder E-Mail-Adresse', { exact: true }).fill(customer.username);
  await page.getByLabel('Passwort', { exact: true }).fill(OLD_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toBeVisible();
  await page.getByLabel('Passwort', { exact: true }).fill(NEW_PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/setup-pins$/);
});
