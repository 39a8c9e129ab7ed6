import { readdirSync, readFileSync } from 'node:fs';

/** The FerretDB process serving `dataDir` (its --state-dir), found in /proc, for tests that stop or kill it. */
export function ferretdbPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
      if (command.includes(`--state-dir=${dataDir}`)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no ferretdb for ${dataDir}`);
}
