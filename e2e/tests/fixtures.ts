import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mailTo, type CaughtMail } from '@konferenz/testing/maildev';
import { expect, test as base, type Page, type TestInfo } from '@playwright/test';

/** The embedded mail catcher (MailDev) the server under test delivers to. */
export class MailInbox {
  constructor(
    /** Its web inbox, e.g. http://127.0.0.1:1380 (the same address serves the REST API). */
    readonly url: string,
  ) {}

  /** Waits for the newest mail to `address` whose subject matches, and returns it. */
  async waitForMail(address: string, subject: RegExp, timeout = 15_000): Promise<CaughtMail> {
    let found: CaughtMail | undefined;
    await expect
      .poll(
        async () => {
          found = (await mailTo(this.url, address)).filter((mail) => subject.test(mail.subject)).sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
          return found?.subject;
        },
        { message: `a mail to ${address} with subject ${subject}`, timeout },
      )
      .toMatch(subject);
    return found!;
  }
}

/** Full-page screenshots for people to look at: test-results/screenshots/<nn>-<name>.png. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = join(testInfo.project.outputDir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

export const test = base.extend<{ mailInbox: MailInbox }>({
  mailInbox: async ({}, use) => {
    const url = process.env.KONFERENZ_E2E_MAIL_INBOX_URL;
    if (!url) throw new Error('KONFERENZ_E2E_MAIL_INBOX_URL is not set (playwright.config.ts sets it)');
    await use(new MailInbox(url));
  },
});

export { expect };
