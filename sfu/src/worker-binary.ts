import * as fs from 'node:fs';
import * as path from 'node:path';

import type * as Mediasoup from 'mediasoup';

/**
 * The mediasoup version whose worker scripts/build-worker.sh builds offline
 * against Debian 12's libraries. package.json pins the same version.
 */
export const MEDIASOUP_VERSION = '3.27.1';

/**
 * Where the worker binary is found when MEDIASOUP_WORKER_BIN is not set: the
 * library's own default path inside the installed package, which
 * scripts/build-worker.sh links to the binary in its per-machine cache.
 */
export function mediasoupWorkerBinaryPath(): string {
  // mediasoup's "exports" hide package.json; its entry point is <package>/node/lib/index.js.
  const packageDir = path.resolve(path.dirname(require.resolve('mediasoup')), '..', '..');
  return path.join(packageDir, 'worker', 'out', 'Release', 'mediasoup-worker');
}

/**
 * Loads mediasoup with MEDIASOUP_WORKER_BIN pointing at a worker that exists.
 *
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when its module is first loaded,
 * so the variable must be set before the first require('mediasoup'); that is
 * why this is a lazy require and not a top-level import. A value set by the
 * operator wins over the package path.
 */
export function loadMediasoup(): typeof Mediasoup {
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    process.env.MEDIASOUP_WORKER_BIN = mediasoupWorkerBinaryPath();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mediasoup = require('mediasoup') as typeof Mediasoup;

  // Fail with a useful message instead of mediasoup's bare spawn ENOENT, which
  // is what happens when the worker was never built or something required
  // mediasoup before the variable was set.
  if (!fs.existsSync(mediasoup.workerBin)) {
    throw new Error(
      `mediasoup worker binary not found at ${mediasoup.workerBin}. ` +
        'Build it with `npm run build:worker -w @konferenz/sfu`' +
        (mediasoup.workerBin !== process.env.MEDIASOUP_WORKER_BIN
          ? ` (mediasoup was loaded before MEDIASOUP_WORKER_BIN was set; expected ${process.env.MEDIASOUP_WORKER_BIN})`
          : ''),
    );
  }
  return mediasoup;
}
