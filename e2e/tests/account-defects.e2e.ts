import { randomBytes } from 'node:crypto';
import { CSRF_HEADER } from '@konferenz/shared';
import { expect, screenshot, test } from './fixtures';

/**
 * Defects from the walkthrough of issue 14, each seen in the real browser: postal codes checked
 * per country, links in the welcome mail, a second click on the verify link, and the UI
 * language picked from the browser and remembered.
 */

const WELCOME_SUBJECT = /Willkommen bei Konferenz/;

test('a 4-digit postal code is refused for Germany; the welcome mail links its addresses; the verify link used twice says "already verified"', async ({
  page,
  mailInbox,
}, testInfo) => {
  const suffix = randomBytes(4).toString('hex');
  const email = `jonas.${suffix}@example.test`;
  await page.goto('/register');
  await page.getByLabel('Benutzername', { exact: true }).fill(`jonas.${suffix}`);
  await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
  await page.getByLabel('Passwort', { exact: true }).fill('Blauer-Kranich-47');
  await page.getByLabel('Vorname', { exact: true }).fill('Jonas');
  await page.getByLabel('Nachname', { exact: true }).fill('Beispiel');
  await page.getByLabel('Straße', { exact: true }).fill('Heidestraße');
  await page.getByLabel('Hausnummer', { exact: true }).fill('17a');
  const postalCode = page.getByLabel('Postleitzahl', { exact: true });
  await postalCode.fill('1011');
  await page.getByLabel('Ort', { exact: true }).fill('Berlin');
  await page.getByLabel('Land', { exact: true }).selectOption('DE');
  await page.getByTestId('register-submit').click();
  await expect(page.locator('.field', { has: postalCode }).locator('.error')).toHaveText('Bitte eine gültige Postleitzahl angeben.');
  await expect(postalCode).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('register-success')).toHaveCount(0);

  // The server applies the same rule: a request past the form is refused on the same field.
  const direct = await page.request.post('/api/accounts', {
    headers: { [CSRF_HEADER]: '1' },
    data: {
      username: `jonas.direct.${suffix}`,
      email: `direct.${email}`,
      password: 'Blauer-Kranich-47',
      firstName: 'Jonas',
      lastName: 'Beispiel',
      language: 'de',
      address: { street: 'Heidestraße', houseNumber: '17a', postalCode: '1011', city: 'Berlin', country: 'DE' },
    },
  });
  expect(direct.status()).toBe(400);
  expect((await direct.json()).fieldErrors).toEqual([expect.objectContaining({ field: 'address.postalCode', code: 'validation.postalCode' })]);

  // Four digits are right for Austria.
  await page.getByLabel('Land', { exact: true }).selectOption('AT');
  await page.getByLabel('Ort', { exact: true }).fill('Wien');
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-success')).toBeVisible();

  const mail = await mailInbox.waitForMail(email, WELCOME_SUBJECT);
  const loginUrl = mail.text.match(/(http\S+\/login)\b/)?.[1];
  const joinUrl = mail.text.match(/(http\S+\/join\?room=\d+)/)?.[1];
  const verifyUrl = mail.text.match(/(http\S+\/verify-email\?token=\w+)/)?.[1];
  expect(loginUrl && joinUrl && verifyUrl, mail.text).toBeTruthy();
  expect(mail.html).toContain(`<a href="${loginUrl}"`);
  expect(mail.html).toContain(`<a href="${joinUrl!.replace(/&/g, '&amp;')}"`);

  await page.goto(verifyUrl!);
  await expect(page.getByTestId('verify-success')).toHaveText('Vielen Dank! Ihre E-Mail-Adresse ist bestätigt.');
  await page.goto(verifyUrl!);
  await expect(page.getByTestId('verify-already')).toHaveText('Ihre E-Mail-Adresse ist bereits bestätigt. Sie können sich anmelden.');
  await expect(page.getByTestId('verify-error')).toHaveCount(0);
  await screenshot(page, testInfo, 'verify-already');
});

test('the browser language picks the first UI language; a choice with the switch is remembered', async ({ browser }) => {
  const english = await browser.newContext({ locale: 'en-US' });
  const page = await english.newPage();
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText('Your personal conference room');
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText('Ihr persönlicher Konferenzraum');
  await english.close();

  const german = await browser.newContext({ locale: 'de-AT' });
  const germanPage = await german.newPage();
  await germanPage.goto('/');
  await expect(germanPage.locator('html')).toHaveAttribute('lang', 'de');
  await german.close();
});
