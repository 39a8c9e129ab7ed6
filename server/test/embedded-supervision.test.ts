import { getModelToken } from '@nestjs/mongoose';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailTo } from '@konferenz/testing/maildev';
import { registration } from '@konferenz/testing/registration';
import { REPO_ROOT } from '../src/config/app-config';
import { EmbeddedDatabase, ferretdbBinaryPath } from '../src/database/embedded-database';
import { freePort } from '../src/embedded/free-port';
import { EmbeddedMailCatcher } from '../src/mail/embedded-mail-catcher';
import { OutboxMail } from '../src/mail/outbox/outbox-mail.schema';
import { startTestApp, type TestApp } from './support/test-app';

/** The outbox polls every second and retries after 1-2 s, so a returning mail server is noticed fast. */
const QUICK_RETRIES = { MAIL_OUTBOX_POLL_SECONDS: '1', MAIL_RETRY_MIN_SECONDS: '1', MAIL_RETRY_MAX_SECONDS: '2' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `condition` holds; returns the milliseconds it took. */
async function until(condition: () => Promise<boolean> | boolean, limitMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`${what}: not within ${limitMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

interface ReadinessAnswer {
  status: string;
  parts: Record<string, string>;
}

async function readiness(app: TestApp): Promise<{ status: number; body: ReadinessAnswer }> {
  const response = await fetch(`${app.url}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadinessAnswer };
}

/**
 * Item 2 of the hardening issue: the embedded FerretDB and MailDev are supervised. Killed, each
 * comes back on its port by itself, and the running app works again without a restart: requests
 * succeed, the mail registered during the outage is delivered from the outbox.
 */
describe('supervised embedded services', () => {
  let dir: string;
  let database: EmbeddedDatabase;
  let mail: EmbeddedMailCatcher;
  let app: TestApp;
  const stopped = new Set<number>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'konferenz-supervision-'));
    database = await EmbeddedDatabase.start({ dataDir: join(dir, 'db'), binaryPath: ferretdbBinaryPath(REPO_ROOT) });
    mail = await EmbeddedMailCatcher.start({
      repoRoot: REPO_ROOT,
      smtpPort: await freePort(),
      webPort: await freePort(),
      mailDir: join(dir, 'mail'),
    });
    app = await startTestApp({ MONGODB_URI: database.uri, SMTP_URL: mail.smtpUrl, ...QUICK_RETRIES });
  });
  afterAll(async () => {
    for (const pid of stopped) process.kill(pid, 'SIGCONT');
    await app?.close();
    await Promise.all([database?.stop(), mail?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const inbox = (address: string) => mailTo(mail.webUrl, address);

  it('restarts a killed FerretDB on its port, and the app works again by itself', async () => {
    const customer = registration();
    expect((await app.client().post('/api/accounts', customer)).status).toBe(202);
    const login = () => app.client().post('/api/auth/login', { login: customer.username, password: customer.password });
    expect((await login()).status).toBe(200);

    const killed = database.pid!;
    const killedAt = Date.now();
    process.kill(killed, 'SIGKILL');
    const back = (async () => {
      await until(() => database.pid !== killed, 10_000, 'a new ferretdb');
      await until(() => acceptsConnections(database.port), 10_000, `ferretdb back on port ${database.port}`);
      return Date.now() - killedAt;
    })();

    // Logins from the moment of the kill: they fail while it is down, and work again without any restart of the app.
    const statuses: number[] = [];
    await until(
      async () => {
        statuses.push((await login()).status);
        return statuses.at(-1) === 200;
      },
      15_000,
      'a login',
    );
    const loginAfter = Date.now() - killedAt;
    const backAfter = await back;
    expect((await app.client().post('/api/accounts', registration())).status).toBe(202);
    console.log(
      `FerretDB SIGKILLed: back on port ${database.port} after ${backAfter} ms, first login after ${loginAfter} ms (answers meanwhile: ${statuses.join(', ')})`,
    );
    expect(backAfter).toBeLessThan(5_000);
    expect(loginAfter).toBeLessThan(8_000);
    // Failed requests in between were clear answers, never a generic 500.
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect((await readiness(app)).body.parts.database).toBe('up');
  });

  it('reports the database down while it does not answer, and up when it does again', async () => {
    expect((await readiness(app)).body).toEqual({ status: 'ready', parts: { database: 'up', mail: 'up', media: 'up' } });
    const pid = database.pid!;
    // Stopped, not killed: it stays down until told to go on, and supervision leaves it alone.
    process.kill(pid, 'SIGSTOP');
    stopped.add(pid);
    const asked = Date.now();
    const during = await readiness(app);
    const answeredIn = Date.now() - asked;
    const live = await fetch(`${app.url}/healthz`);
    process.kill(pid, 'SIGCONT');
    stopped.delete(pid);

    expect(during.status).toBe(503);
    expect(during.body).toEqual({ status: 'unavailable', parts: { database: expect.stringMatching(/^down: /), mail: 'up', media: 'up' } });
    expect(answeredIn).toBeLessThan(2_000);
    expect(live.status).toBe(200);
    const upAgainAfter = await until(async () => (await readiness(app)).status === 200, 10_000, 'ready again');
    console.log(`Database stalled: /readyz said "${during.body.parts.database}" in ${answeredIn} ms; ready again ${upAgainAfter} ms after SIGCONT`);
    expect(database.pid).toBe(pid);
  });

  it('restarts a killed MailDev, and the mail registered meanwhile arrives from the outbox', async () => {
    const outbox = app.app.get<Model<OutboxMail>>(getModelToken(OutboxMail.name));
    const killed = mail.pid!;
    const smtpPort = Number(new URL(mail.smtpUrl).port);
    process.kill(killed, 'SIGKILL');
    await until(async () => !(await acceptsConnections(smtpPort)), 5_000, 'maildev gone');
    const customer = registration();
    const answer = await app.client().post('/api/accounts', customer);
    expect(answer.status).toBe(202);
    // The delivery right after the registration found no mail server: the mail waits in the outbox.
    await until(async () => ((await outbox.findOne({ to: customer.email }).lean())?.failures ?? 0) >= 1, 5_000, 'a failed first attempt');

    await until(() => mail.pid !== killed, 10_000, 'a new maildev');
    const webPort = Number(new URL(mail.webUrl).port);
    await until(async () => (await acceptsConnections(smtpPort)) && (await acceptsConnections(webPort)), 10_000, 'maildev back on its ports');
    const backAt = Date.now();
    await until(async () => (await inbox(customer.email)).length === 1, 15_000, 'the welcome mail');
    const deliveredAfter = Date.now() - backAt;
    console.log(`MailDev SIGKILLed: welcome mail delivered ${deliveredAfter} ms after MailDev was back`);
    expect((await inbox(customer.email))[0]!.subject).toMatch(/^Willkommen bei Konferenz/);
    await until(async () => (await outbox.countDocuments({ to: customer.email })) === 0, 5_000, 'the mail gone from the outbox');
    expect((await readiness(app)).body.parts.mail).toBe('up');
  });
});
