import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mediasoupWorkerBin, productEnv } from '@konferenz/testing/product-env';
import { defineConfig } from '@playwright/test';
import chromium from './chromium.json';

/**
 * End-to-end tests of the whole product, started as a user starts it (`node server/dist/main.js`
 * with no MONGODB_URI and no SMTP_URL: the server runs its embedded FerretDB and MailDev).
 *
 * Ports differ from `npm start`'s defaults (3000, 27018, 1025, 1080) so a developer's running
 * instance does not collide; each can be moved with an environment variable. Everything listens
 * on 127.0.0.1 only: the suites also run inside a private network namespace with nothing but
 * loopback (scripts/test.mjs).
 */
const port = Number(process.env.E2E_PORT ?? 3300);
const dbPort = Number(process.env.E2E_DB_PORT ?? 27318);
const smtpPort = Number(process.env.E2E_MAIL_SMTP_PORT ?? 1325);
const mailWebPort = Number(process.env.E2E_MAIL_WEB_PORT ?? 1380);
/** The mediasoup worker's WebRtcServer (UDP and TCP); npm start uses 40000. */
const rtcPort = Number(process.env.E2E_RTC_PORT ?? 40300);
/** The phone gateway's SIP port (UDP and TCP) for the softphone tests; npm start uses 5060. */
const sipPort = Number(process.env.E2E_SIP_PORT ?? 5370);
/**
 * Built offline from mediasoup's sources by sfu/scripts/build-worker.sh (run by scripts/bootstrap.mjs), which links it
 * to the package's default path; npm test sets MEDIASOUP_WORKER_BIN to the binary itself.
 */
const workerBin = mediasoupWorkerBin(resolve(__dirname, '..'));

export const baseURL = `http://127.0.0.1:${port}`;
const mailInboxUrl = `http://127.0.0.1:${mailWebPort}`;

// This file is loaded by the runner and again by each worker. The runner makes one fresh data
// folder per run and hands it to the workers through the environment (they inherit it); only the
// runner removes it, when it exits, after the web server has been stopped.
if (!process.env.KONFERENZ_E2E_DATA_DIR) {
  const dataDir = mkdtempSync(join(tmpdir(), 'konferenz-e2e-'));
  process.env.KONFERENZ_E2E_DATA_DIR = dataDir;
  if (!process.env.KONFERENZ_E2E_KEEP_DATA) {
    process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  }
}
// What the tests read (tests/fixtures.ts, tests/phone.e2e.ts).
process.env.KONFERENZ_E2E_MAIL_INBOX_URL = mailInboxUrl;
process.env.KONFERENZ_E2E_SIP_URI = `sip:konferenz@127.0.0.1:${sipPort}`;

/** Debian's Chromium (`npx playwright install` needs a download, which these machines cannot do). */
const chromiumPath = process.env.CHROMIUM_PATH ?? chromium.executablePath;
const chromiumArgs = chromium.args;

export default defineConfig({
  testDir: './tests',
  // Browser tests are *.e2e.ts; the other files in tests/ are their helpers.
  testMatch: '**/*.e2e.ts',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // The json reporter writes to PLAYWRIGHT_JSON_OUTPUT_NAME when set (scripts/run-suites.mjs sets
  // it); otherwise to test-results/results.json rather than flooding the terminal.
  reporter: [['list'], ['json', process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? {} : { outputFile: 'test-results/results.json' }]],
  use: {
    baseURL,
    locale: 'de-DE',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: 'node ../server/dist/main.js',
    url: `${baseURL}/api/auth/session`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // The server stops its embedded database and mail catcher on SIGTERM.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    env: {
      ...productEnv({
        ports: { http: port, db: dbPort, smtp: smtpPort, mailWeb: mailWebPort, rtc: rtcPort, sip: sipPort },
        // Set above, for the runner and (inherited) its workers.
        dataDir: process.env.KONFERENZ_E2E_DATA_DIR!,
        workerBin,
      }),
      // The tests register several accounts from 127.0.0.1 within a minute.
      REGISTRATIONS_PER_IP_PER_HOUR: '100',
      // Conference tests (tests/conference.e2e.ts): one mediasoup worker, so killing it hits
      // every room; a short grace before a dropped moderator counts as gone.
      MEDIA_WORKERS: '1',
      // Phone dial-in for the softphone tests (tests/phone.e2e.ts), on loopback only; not 5060,
      // which a developer's server or softphone may hold.
      SIP_HOST: '127.0.0.1',
      SIP_RTP_HOST: '127.0.0.1',
      // Example numbers, so invitations (tests/invite.e2e.ts) carry dial-in lines as configured servers' do.
      DIAL_IN_NUMBERS: '+49 30 1234567, +41 44 1234567',
      MODERATOR_GRACE_SECONDS: '3',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    },
  },
});
