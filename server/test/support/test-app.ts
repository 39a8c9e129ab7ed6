import { getModelToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from 'mongoose';
import { inject } from 'vitest';
import { User } from '../../src/users/user.schema';
import { loadConfig } from '../../src/config/app-config';
import { createApp } from '../../src/create-app';
import { freePort } from '../../src/embedded/free-port';
import type { ResolvedConfig } from '../../src/embedded-services';
import { ApiClient } from './api-client';

export interface TestApp {
  url: string;
  /** Another app started with this URI shares the database, as after a restart. */
  databaseUri: string;
  app: NestExpressApplication;
  users: Model<User>;
  client(): ApiClient;
  close(): Promise<void>;
}

/**
 * The real server on a random loopback port, against the run's FerretDB (a database of its own)
 * and MailDev. Environment overrides go through the same validation as in production.
 */
export async function startTestApp(environment: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'konferenz-app-'));
  const database = `konferenz_${randomUUID().slice(0, 8)}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    MONGODB_URI: `mongodb://127.0.0.1:${inject('databasePort')}/${database}?maxPoolSize=1`,
    SMTP_URL: inject('smtpUrl'),
    REGISTRATIONS_PER_IP_PER_HOUR: '10000',
    // Fixed secrets: an app started again on the same database (a restart) can read what the first wrote.
    SESSION_SECRET: 'integration-test-session-secret-0123456789',
    PIN_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    MEDIA_WORKERS: '1',
    RTC_PORT: String(await freePort()),
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    SIP_PORT: '0',
    // Phone tests place many calls from one caller id; the call-rate limits have their own test.
    SIP_CALLS_PER_CALLER_PER_MINUTE: '1000',
    SIP_CALLS_PER_SOURCE_PER_MINUTE: '1000',
    ...environment,
  }) as ResolvedConfig;
  const app = await createApp(config);
  // A fixed PORT when the test needs the address before the start (a cluster node's NODE_PUBLIC_URL).
  await app.listen(environment.PORT ? config.port : 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const users = app.get<Model<User>>(getModelToken(User.name));
  await users.init();
  return {
    url,
    databaseUri: config.database.uri,
    app,
    users,
    client: () => new ApiClient(url),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
