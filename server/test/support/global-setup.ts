import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../../src/config/app-config';
import { EmbeddedDatabase, ferretdbBinaryPath } from '../../src/database/embedded-database';
import { freePort } from '../../src/embedded/free-port';
import { EmbeddedMailCatcher } from '../../src/mail/embedded-mail-catcher';

declare module 'vitest' {
  export interface ProvidedContext {
    databasePort: number;
    smtpUrl: string;
    mailInboxUrl: string;
  }
}

/** One real FerretDB and one real MailDev for the whole integration run; each test file gets its own database. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'konferenz-it-'));
  const database = await EmbeddedDatabase.start({ dataDir: join(dataDir, 'db'), binaryPath: ferretdbBinaryPath(REPO_ROOT) });
  const mail = await EmbeddedMailCatcher.start({
    repoRoot: REPO_ROOT,
    smtpPort: await freePort(),
    webPort: await freePort(),
    mailDir: join(dataDir, 'mail'),
  });
  project.provide('databasePort', database.port);
  project.provide('smtpUrl', mail.smtpUrl);
  project.provide('mailInboxUrl', mail.webUrl);
  return async () => {
    await Promise.all([database.stop(), mail.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
