import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { CSRF_HEADER, pinProblem } from '@konferenz/shared';

/**
 * The customer journey of the seed, in German as a first-time visitor sees it: register, read the
 * welcome mail (room number and access PIN), log in, set both PINs (forced on the first login),
 * see them in the Konferenzcenter, change the participant PIN, log out and in again.
 */

const PASSWORD = 'Blauer-Kranich-47';
/** Neither repetitions nor runs (see shared/src/rules/pin-rules.ts). */
const PIN_CANDIDATES = ['274951', '839162', '5170394', '61839274', '407285', '925713', '381946', '752048'];
const WELCOME_SUBJECT = /Willkommen bei Konferenz/;

interface Customer {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

function newCustomer(): Customer {
  const suffix = randomBytes(4).toString('hex');
  return { username: `erika.${suffix}`, email: `erika.${suffix}@example.test`, firstName: 'Erika', lastName: 'Mustermann' };
}

/** PINs that are valid for this room: none of them may be taken from the room number. */
function pinsFor(roomNumber: string, count: number): string[] {
  const pins = PIN_CANDIDATES.filter((pin) => !roomNumber.includes(pin)).slice(0, count);
  expect(pins).toHaveLength(count);
  return pins;
}

const digitsOnly = (text: string) => text.replace(/\D/g, '');

async function fillRegistration(page: Page, customer: Customer): Promise<void> {
  // The labels are the German ones: a first-time visitor sees the German page.
  await page.getByLabel('Benutzername', { exact: true }).fill(customer.username);
  await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(customer.email);
  await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Vorname', { exact: true }).fill(customer.firstName);
  await page.getByLabel('Nachname', { exact: true }).fill(customer.lastName);
  await page.getByLabel('Firma (optional)', { exact: true }).fill('Muster & Söhne GmbH');
  await page.getByLabel('Telefonnummer (optional)', { exact: true }).fill('+49 30 1234567');
  await page.getByLabel('Sprache für E-Mails und Telefonansagen', { exact: true }).selectOption('de');
  await page.getByLabel('Straße', { exact: true }).fill('Heidestraße');
  await page.getByLabel('Hausnummer', { exact: true }).fill('17a');
  await page.getByLabel('Postleitzahl', { exact: true }).fill('10557');
  await page.getByLabel('Ort', { exact: true }).fill('Berlin');
  await page.getByLabel('Land', { exact: true }).selectOption('DE');
}

async function logIn(page: Page, login: string): Promise<void> {
  await page.getByLabel('Benutzername oder E-Mail-Adresse', { exact: true }).fill(login);
  await page.getByLabel('Passwort', { exact: true }).fill(PASSWORD);
  await page.getByTestId('login-submit').click();
}

const mainHeading = (page: Page) => page.getByRole('main').getByRole('heading', { level: 1 });

test('register, read the welcome mail, set the PINs and manage the room in the Konferenzcenter', async ({ page, mailInbox }, testInfo) => {
  const customer = newCustomer();

  // Landing page, German by default.
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(mainHeading(page)).toHaveText('Ihr persönlicher Konferenzraum');
  await screenshot(page, testInfo, '01-landing');

  // Registration.
  await page.getByRole('link', { name: 'Jetzt registrieren' }).click();
  await expect(page).toHaveURL(/\/register$/);
  await expect(mainHeading(page)).toHaveText('Registrierung');
  await fillRegistration(page, customer);
  await screenshot(page, testInfo, '02-register');
  await page.getByTestId('register-submit').click();
  const success = page.getByTestId('register-success');
  await expect(success).toBeVisible();
  await expect(success.getByRole('heading')).toHaveText('Bitte prüfen Sie Ihr Postfach');
  await screenshot(page, testInfo, '03-register-done');

  // The welcome mail, as the customer sees it in the mail catcher's web inbox.
  const mail = await mailInbox.waitForMail(customer.email, WELCOME_SUBJECT);
  const roomNumberInText = mail.text.match(/Konferenzraum-Nr\.:\s*(\d{4} \d{4})/)?.[1];
  const accessPinInText = mail.text.match(/Zugangs-PIN:\s*(\d{6,8})\b/)?.[1];
  expect(roomNumberInText, `room number in the mail text:\n${mail.text}`).toBeDefined();
  expect(accessPinInText, `access PIN in the mail text:\n${mail.text}`).toBeDefined();

  await page.goto(mailInbox.url);
  const listed = page.getByTestId('email-list-item').filter({ hasText: customer.email });
  await expect(listed).toHaveCount(1);
  await listed.click();
  await expect(page.getByTestId('email-subject')).toContainText('Willkommen bei Konferenz');
  const mailBody = page.frameLocator('iframe[title="Email HTML content"]');
  await expect(mailBody.getByText(`Hallo ${customer.firstName} ${customer.lastName},`)).toBeVisible();
  await expect(page.getByTestId('loading-bar')).toHaveAttribute('data-active', 'false');
  const shownRoomNumber = (await mailBody.locator('#room-number').innerText()).trim();
  const shownAccessPin = (await mailBody.locator('#access-pin').innerText()).trim();
  expect(shownRoomNumber).toBe(roomNumberInText);
  expect(shownAccessPin).toBe(accessPinInText);
  expect(mail.subject).toContain(shownRoomNumber);
  await screenshot(page, testInfo, '04-mail-inbox');

  const roomNumber = digitsOnly(shownRoomNumber); // e.g. 46792069
  const formattedRoomNumber = shownRoomNumber; // e.g. "4679 2069"
  expect(roomNumber).toMatch(/^[1-9]\d{7}$/);
  const [moderatorPin, participantPin, newParticipantPin] = pinsFor(roomNumber, 3);

  // First login: the PIN setup is forced.
  await page.goto('/login');
  await expect(mainHeading(page)).toHaveText('Anmeldung zum Konferenzcenter');
  await screenshot(page, testInfo, '05-login');
  await logIn(page, customer.username);
  await expect(page).toHaveURL(/\/setup-pins$/);
  await expect(mainHeading(page)).toHaveText('Moderatoren-PIN und Teilnehmer-PIN festlegen');
  await expect(page.getByTestId('room-number')).toHaveText(formattedRoomNumber);
  await page.getByLabel('Moderatoren-PIN', { exact: true }).fill(moderatorPin!);
  await page.getByLabel('Teilnehmer-PIN', { exact: true }).fill(participantPin!);
  await screenshot(page, testInfo, '06-setup-pins');
  await page.getByTestId('pins-submit').click();

  // The Konferenzcenter shows the room number from the mail and the participant PIN.
  await expect(page).toHaveURL(/\/account$/);
  await expect(mainHeading(page)).toHaveText('Konferenzcenter');
  await expect(page.getByText(`Willkommen, ${customer.firstName} ${customer.lastName}.`)).toBeVisible();
  await expect(page.getByTestId('room-number')).toHaveText(formattedRoomNumber);
  await expect(page.getByTestId('participant-pin')).toHaveText(participantPin!);
  // The moderator PIN is secret: it is never shown.
  await expect(page.getByRole('main')).not.toContainText(moderatorPin!);
  await screenshot(page, testInfo, '07-account');

  // Change the participant PIN.
  const changeForm = page.getByTestId('change-participant-pin-form');
  await changeForm.getByLabel('Neue Teilnehmer-PIN', { exact: true }).fill(newParticipantPin!);
  await page.getByTestId('change-participant-pin-submit').click();
  await expect(page.getByTestId('change-participant-pin-success')).toHaveText('Die Teilnehmer-PIN wurde geändert.');
  await expect(page.getByTestId('participant-pin')).toHaveText(newParticipantPin!);
  await expect(page.getByTestId('room-number')).toHaveText(formattedRoomNumber);
  await screenshot(page, testInfo, '08-account-after-change');

  // Log out, log in again (with the email address this time): no PIN setup, the new PIN stays.
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('notice')).toHaveText('Sie wurden abgemeldet.');
  await page.goto('/account');
  await expect(page).toHaveURL(/\/login$/); // logged out means logged out
  await logIn(page, customer.email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('room-number')).toHaveText(formattedRoomNumber);
  await expect(page.getByTestId('participant-pin')).toHaveText(newParticipantPin!);

  // The language switch: English at once, and still English after a reload.
  await expect(page.getByRole('button', { name: 'Deutsch' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('button', { name: 'English' })).toHaveAttribute('aria-pressed', 'true');
  await expect(mainHeading(page)).toHaveText('Conference center');
  await expect(page.getByText(`Welcome, ${customer.firstName} ${customer.lastName}`)).toBeVisible();
  await expect(page.getByTestId('logout')).toHaveText('Log out');
  await expect(page.getByRole('heading', { name: 'Change participant PIN' })).toBeVisible();
  await expect(page.getByText('Konferenzcenter', { exact: true })).toHaveCount(0);
  await expect(page.getByTestId('room-number')).toHaveText(formattedRoomNumber);
  await expect(page.getByTestId('participant-pin')).toHaveText(newParticipantPin!);
  await page.reload();
  await expect(mainHeading(page)).toHaveText('Conference center');
  await screenshot(page, testInfo, '09-account-english');
});

test('the PIN setup cannot be skipped, and its validation errors show in German beside the field', async ({ page, mailInbox }, testInfo) => {
  const customer = newCustomer();

  // Registered through the UI as well (the first test covers it in detail).
  await page.goto('/register');
  await fillRegistration(page, customer);
  await page.getByTestId('register-submit').click();
  await expect(page.getByTestId('register-success')).toBeVisible();
  const mail = await mailInbox.waitForMail(customer.email, WELCOME_SUBJECT);
  const roomNumber = digitsOnly(mail.text.match(/Konferenzraum-Nr\.:\s*(\d{4} \d{4})/)?.[1] ?? '');
  expect(roomNumber).toMatch(/^\d{8}$/);

  await page.goto('/login');
  await logIn(page, customer.username);
  await expect(page).toHaveURL(/\/setup-pins$/);

  // Neither a fresh load of /account nor a link inside the app gets past the PIN setup.
  await page.goto('/account');
  await expect(page).toHaveURL(/\/setup-pins$/);
  await expect(mainHeading(page)).toHaveText('Moderatoren-PIN und Teilnehmer-PIN festlegen');
  await page.getByRole('link', { name: 'Konferenzcenter', exact: true }).click();
  await expect(page).toHaveURL(/\/setup-pins$/);
  await page.goto('/');
  await page.getByTestId('home-account').click();
  await expect(page).toHaveURL(/\/setup-pins$/);
  await page.goto('/login');
  await expect(page).toHaveURL(/\/setup-pins$/);
  await screenshot(page, testInfo, '10-setup-pins-forced');

  // The server agrees: nothing but the account view and the PIN setup before the PINs are set.
  const account = await page.request.get('/api/account');
  expect(account.status()).toBe(200);
  expect(await account.json()).toMatchObject({ pinsSet: false });
  const early = await page.request.put('/api/account/pins/participant', {
    headers: { [CSRF_HEADER]: '1' },
    data: { pin: pinsFor(roomNumber, 1)[0] },
  });
  expect(early.status()).toBe(403);
  expect(await early.json()).toMatchObject({ code: 'PIN_SETUP_REQUIRED' });

  const moderatorField = page.getByLabel('Moderatoren-PIN', { exact: true });
  const participantField = page.getByLabel('Teilnehmer-PIN', { exact: true });
  const errorBeside = (field: typeof moderatorField) => page.locator('.field', { has: field }).locator('.error');
  const [goodPin, otherGoodPin] = pinsFor(roomNumber, 2);

  // A trivial PIN: the error is German, beside the field and tied to it for screen readers.
  await moderatorField.fill('123456');
  await participantField.fill(goodPin!);
  await page.getByTestId('pins-submit').click();
  const trivial = 'Diese PIN ist zu leicht zu erraten (Wiederholungen oder Zahlenfolgen).';
  await expect(errorBeside(moderatorField)).toHaveText(trivial);
  await expect(moderatorField).toHaveAttribute('aria-invalid', 'true');
  await expect(moderatorField).toHaveAccessibleDescription(new RegExp(escapeRegExp(trivial)));
  await expect(errorBeside(participantField)).toHaveCount(0);
  await expect(page).toHaveURL(/\/setup-pins$/);
  await screenshot(page, testInfo, '11-setup-pins-errors');

  // Too short, then both the same, then taken from the room number.
  await moderatorField.fill('4711');
  await page.getByTestId('pins-submit').click();
  await expect(errorBeside(moderatorField)).toHaveText('Die PIN besteht aus 6 bis 8 Ziffern.');
  await moderatorField.fill(goodPin!);
  await page.getByTestId('pins-submit').click();
  await expect(errorBeside(participantField)).toHaveText('Moderatoren-PIN und Teilnehmer-PIN müssen sich unterscheiden.');
  await expect(errorBeside(moderatorField)).toHaveCount(0);
  // A slice that breaks no other rule (trivial or one of the most common PINs), so this is the one the server names.
  const fromRoomNumber = [0, 1, 2].map((start) => roomNumber.slice(start, start + 6)).find((pin) => pinProblem(pin) === null);
  if (fromRoomNumber) {
    await moderatorField.fill(fromRoomNumber);
    await participantField.fill(goodPin!);
    await page.getByTestId('pins-submit').click();
    await expect(errorBeside(moderatorField)).toHaveText('Die PIN darf nicht aus der Konferenzraum-Nummer stammen.');
  }

  // The server checks the same rules itself (a client that skips its own checks gets nowhere).
  const rejected = await page.request.post('/api/account/pins', {
    headers: { [CSRF_HEADER]: '1' },
    data: { moderatorPin: '123456', participantPin: goodPin },
  });
  expect(rejected.status()).toBe(400);
  const rejection = await rejected.json();
  expect(rejection).toMatchObject({ code: 'VALIDATION_FAILED' });
  expect(rejection.fieldErrors).toContainEqual(expect.objectContaining({ field: 'moderatorPin', code: 'validation.pin.trivial' }));

  // Still forced after all that; valid PINs finally open the Konferenzcenter.
  await page.reload();
  await expect(page).toHaveURL(/\/setup-pins$/);
  await moderatorField.fill(otherGoodPin!);
  await participantField.fill(goodPin!);
  await page.getByTestId('pins-submit').click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('participant-pin')).toHaveText(goodPin!);
  // And now the PIN setup is done for good.
  await page.goto('/setup-pins');
  await expect(page).toHaveURL(/\/account$/);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
