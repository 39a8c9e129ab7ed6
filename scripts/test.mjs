// `npm test`: install and build what is missing, then run every suite inside a private network
// namespace, so browsers, media and mail can only ever talk to 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { bootstrap, mediasoupWorkerBin, repoRoot } from './bootstrap.mjs';

try {
  bootstrap({ forTests: true });
} catch (error) {
  console.error(`\n${error.message}`);
  process.exit(1);
}

const env = { ...process.env, MEDIASOUP_WORKER_BIN: mediasoupWorkerBin };
const suites = ['node', 'scripts/run-suites.mjs', ...process.argv.slice(2)];
const isolated = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
if (!isolated) {
  console.warn('[konferenz] Cannot create a network namespace (needs root and unshare): running the suites on the host network.');
}
const result = isolated
  ? spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...suites], { stdio: 'inherit', cwd: repoRoot, env })
  : spawnSync(suites[0], suites.slice(1), { stdio: 'inherit', cwd: repoRoot, env });
process.exit(result.status ?? 1);
