import { getModelToken } from '@nestjs/mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mailTo, waitForMail, type CaughtMail } from '@konferenz/testing/maildev';
import { registration } from '@konferenz/testing/registration';
import { REPO_ROOT } from '../src/config/app-config';
import { freePort } from '../src/embedded/free-port';
import { EmbeddedMailCatcher } from '../src/mail/embedded-mail-catcher';
import { OutboxMail } from '../src/mail/outbox/outbox-mail.schema';
import { startTestApp, type TestApp } from './support/test-app';

/** Polls fast and retries after 1-2 s, so a stopped mail server's return is noticed within seconds. */
const QUICK_RETRIES = { MAIL_OUTBOX_POLL_SECONDS: '1', MAIL_RETRY_MIN_SECONDS: '1', MAIL_RETRY_MAX_SECONDS: '2' };

/**
 * A MailDev of this file's own on fixed ports, so it can be stopped and started again at the
 * same address (the run's shared one must stay up for the other files).
 */
class OwnMailServer {
  #catcher: EmbeddedMailCatcher | undefined;
  readonly #dir = mkdtempSync(join(tmpdir(), 'konferenz-outbox-mail-'));

  private constructor(
    readonly smtpPort: number,
    readonly webPort: number,
  ) {}

  static async create(): Promise<OwnMailServer> {
    return new OwnMailServer(await freePort(), await freePort());
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  async start(): Promise<void> {
    this.#catcher = await EmbeddedMailCatcher.start({ repoRoot: REPO_ROOT, smtpPort: this.smtpPort, webPort: this.webPort, mailDir: this.#dir });
  }

  async stop(): Promise<void> {
    await this.#catcher?.stop();
    this.#catcher = undefined;
  }

  get #inboxUrl(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  mailTo(address: string): Promise<CaughtMail[]> {
    return mailTo(this.#inboxUrl, address);
  }

  waitForMail(address: string, timeoutMs: number): Promise<CaughtMail[]> {
    return waitForMail(this.#inboxUrl, address, { timeoutMs });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function outboxOf(app: TestApp): Model<OutboxMail> {
  return app.app.get<Model<OutboxMail>>(getModelToken(OutboxMail.name));
}

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('mail outbox', () => {
  let mailServer: OwnMailServer;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    mailServer = await OwnMailServer.create();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await mailServer.dispose();
  });

  async function app(environment: Record<string, string> = {}): Promise<TestApp> {
    const started = await startTestApp({ SMTP_URL: mailServer.smtpUrl, ...QUICK_RETRIES, ...environment });
    apps.push(started);
    return started;
  }

  it('keeps the welcome mail while the mail server is down and delivers it when it is back', async () => {
    const server = await app();
    const form = registration();
    const answer = await server.client().post('/api/accounts', form);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ status: 'check-your-mailbox' });
    // Queued, tried, failed: it waits in the database for the next attempt.
    await until(async () => ((await outboxOf(server).findOne({ to: form.email }).lean())?.failures ?? 0) >= 1);
    const waiting = await outboxOf(server).findOne({ to: form.email }).lean();
    expect(waiting!.lastError).toMatch(/ECONNREFUSED/);

    await mailServer.start();
    const [welcome] = await mailServer.waitForMail(form.email, 10_000);
    expect(welcome!.subject).toMatch(/^Willkommen bei Konferenz/);
    // Delivered mails leave the outbox with their personal data.
    await until(async () => (await outboxOf(server).countDocuments()) === 0);
  });

  it('sends what waits as soon as the mail server answers again, not after the backoff', async () => {
    const server = await app({ MAIL_RETRY_MIN_SECONDS: '3600', MAIL_RETRY_MAX_SECONDS: '3600' });
    const forms = [registration(), registration()];
    for (const form of forms) expect((await server.client().post('/api/accounts', form)).status).toBe(202);
    await until(async () => (await outboxOf(server).countDocuments({ failures: { $gte: 1 } })) === forms.length);

    await mailServer.start();
    for (const form of forms) expect(await mailServer.waitForMail(form.email, 10_000)).toHaveLength(1);
  });

  it('delivers a mail that one server queued from another server started on the same database later', async () => {
    const first = await app();
    const form = registration();
    expect((await first.client().post('/api/accounts', form)).status).toBe(202);
    await until(async () => ((await outboxOf(first).findOne({ to: form.email }).lean())?.failures ?? 0) >= 1);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    await mailServer.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await mailServer.mailTo(form.email)).toEqual([]);
    await app({ MONGODB_URI: first.databaseUri });
    expect(await mailServer.waitForMail(form.email, 10_000)).toHaveLength(1);
  });

  it('lets two servers on one database drain the outbox without sending any mail twice', async () => {
    const first = await app();
    const forms = Array.from({ length: 8 }, () => registration());
    for (const form of forms) expect((await first.client().post('/api/accounts', form)).status).toBe(202);
    await until(async () => (await outboxOf(first).countDocuments({ failures: { $gte: 1 } })) === forms.length);
    await app({ MONGODB_URI: first.databaseUri });

    await mailServer.start();
    await until(async () => (await outboxOf(first).countDocuments()) === 0, 20_000);
    // Time for a duplicate, had there been one, to arrive as well.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const form of forms) expect(await mailServer.mailTo(form.email)).toHaveLength(1);
  });
});
