import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/config/app-config';
import { EmbeddedDatabase, ferretdbBinaryPath } from '../../src/database/embedded-database';

/** A FerretDB of the test file's own, for fault tests that stop or kill it (never the run's shared one). */
export async function ownDatabase(): Promise<{ database: EmbeddedDatabase; pid: number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'konferenz-own-db-'));
  const database = await EmbeddedDatabase.start({ dataDir: join(dir, 'db'), binaryPath: ferretdbBinaryPath(REPO_ROOT) });
  const pid = database.pid!;
  return {
    database,
    pid,
    close: async () => {
      // A stopped process would hold the stop up until its grace ran out.
      process.kill(pid, 'SIGCONT');
      await database.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
