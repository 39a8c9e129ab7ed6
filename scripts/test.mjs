// `npm test`: install and build what is missing, then run every suite inside a private network
// namespace, so browsers, media and mail can only ever talk to 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { bootstrap, mediasoupWorkerBin, repoRoot } from './bootstrap.mjs';

const started = Date.now();
try {
  bootstrap({ forTests: true });
  console.log(`[konferenz] install and build: ${Math.round((Date.now() - started) / 1000)} s`);
} catch (error) {
  console.error(`\n${error.message}`);
  process.exit(1);
}

const env = { ...process.env, MEDIASOUP_WORKER_BIN: mediasoupWorkerBin };
/** Every fixed port of the suites and benchmarks is below this range. */
const EPHEMERAL_PORTS = '50000 60999';
const suites = ['node', 'scripts/run-suites.mjs', ...process.argv.slice(2)];
const isolated = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
if (!isolated) {
  console.warn('[konferenz] Cannot create a network namespace (needs root and unshare): running the suites on the host network.');
}
// The namespace's own ephemeral ports start above every fixed port the suites listen on (the e2e
// product's 3300, 27318, 40300, ...): an outgoing connection or a port picked with bind(0) that
// happened to take one of them made a server fail to start ("address already in use").
const PRIVATE_NETWORK = `ip link set lo up && echo "${EPHEMERAL_PORTS}" > /proc/sys/net/ipv4/ip_local_port_range && exec "$@"`;
// Tests that build hosts of their own (testing/src/virtual-hosts.ts) may do so only in there.
const result = isolated
  ? spawnSync('unshare', ['-n', 'sh', '-c', PRIVATE_NETWORK, 'sh', ...suites], {
      stdio: 'inherit',
      cwd: repoRoot,
      env: { ...env, KONFERENZ_PRIVATE_NETWORK: '1' },
    })
  : spawnSync(suites[0], suites.slice(1), { stdio: 'inherit', cwd: repoRoot, env });
process.exit(result.status ?? 1);
