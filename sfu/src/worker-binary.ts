import * as fs from 'node:fs';
import * as path from 'node:path';

import type * as Mediasoup from 'mediasoup';

/**
 * The only mediasoup version whose worker builds offline against Debian 12's
 * libraries (see scripts/build-worker.sh). package.json pins the same version.
 */
export const MEDIASOUP_VERSION = '3.12.16';

/**
 * Where scripts/build-worker.sh puts the worker binary.
 *
 * __dirname is sfu/src (tests, ts source) or sfu/dist (compiled); both sit one
 * level below the package root, so the cache resolves to sfu/.cache either way.
 * SFU_WORKER_CACHE_DIR moves the cache (e.g. to share it between clones); the
 * build script honours the same variable.
 */
export function mediasoupWorkerBinaryPath(): string {
  const cacheRoot = process.env.SFU_WORKER_CACHE_DIR
    ? path.resolve(process.env.SFU_WORKER_CACHE_DIR)
    : path.resolve(__dirname, '..', '.cache');
  return path.join(cacheRoot, `mediasoup-worker-${MEDIASOUP_VERSION}`, 'mediasoup-worker');
}

/**
 * Loads mediasoup with MEDIASOUP_WORKER_BIN pointing at a worker that exists.
 *
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when its module is first loaded,
 * so the variable must be set before the first require('mediasoup'); that is
 * why this is a lazy require and not a top-level import. A value set by the
 * operator wins over our cache path.
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
