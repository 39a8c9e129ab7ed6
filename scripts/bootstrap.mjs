// Installs and builds whatever is missing, so `npm start` and `npm test` work on a fresh clone.
// Only Node built-ins here: this runs before `npm install`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
/**
 * The mediasoup worker binary, as sfu/scripts/build-worker.sh printed it (a per-machine cache
 * shared by all clones). Set by bootstrap(); importers read it after calling bootstrap() (a live
 * binding).
 */
export let mediasoupWorkerBin;

/**
 * Debian packages the build needs besides mediasoup's worker libraries: those are installed (or
 * named) by sfu/scripts/build-worker.sh itself, so their list lives in one place.
 */
const RUNTIME_PACKAGES = ['python3-pip', 'build-essential'];
/**
 * Only the test suites need these: a real browser, a private network namespace and SIP peers (sipp,
 * the baresip softphone); kamailio, the carrier trunk the phone tests route calls through
 * (server/test/phone/kamailio/); linphone-cli (linphonec), the third independent SIP client of the
 * interop matrix (server/test/interop/); espeak-ng, speech for the in-band DTMF talk-off test; for the deployment test (e2e/tests/deploy-networks.e2e.ts)
 * the TURN relay (coturn), the TLS proxy (nginx) and nftables (NAT and firewalls between virtual hosts).
 */
const TEST_PACKAGES = [
  'chromium',
  'iproute2',
  'util-linux',
  'sip-tester',
  'baresip',
  'redis-server',
  'kamailio',
  'linphone-cli',
  'coturn',
  'nginx-light',
  'nftables',
  'espeak-ng',
];
/**
 * Test packages whose Debian service would start with the machine (Kamailio on port 5060 of every
 * address): the tests run their own, each with its own config.
 */
const TEST_DAEMONS = { kamailio: 'kamailio', coturn: 'coturn', 'nginx-light': 'nginx' };

// Progress goes to stderr, so a command's own stdout (a benchmark's JSON line) stays clean.
function log(message) {
  console.error(`\x1b[36m[konferenz]\x1b[0m ${message}`);
}

/**
 * The environment for npm's install and the workspaces' builds: the caller's, without NODE_ENV.
 * An operator may well set NODE_ENV=production for the service (start:prod sets it for the server
 * anyway); npm would then leave out the devDependencies (TypeScript, Vite) and the build fail on
 * every systemd restart. The server itself still gets the caller's NODE_ENV (scripts/start.mjs).
 */
export function toolEnv(env = process.env, extra = {}) {
  const result = { ...env, ...extra };
  delete result.NODE_ENV;
  return result;
}

/**
 * Installs the packages of the project at `root` (npm ci on a fresh checkout, else npm install),
 * devDependencies included whatever NODE_ENV or the npm config (omit=dev) say: the build needs them.
 */
export function installNpmPackages(root, env = toolEnv()) {
  const command = existsSync(join(root, 'node_modules')) ? 'install' : 'ci';
  run('npm', [command, '--include=dev', '--no-audit', '--no-fund'], { cwd: root, env });
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['inherit', 2, 2], cwd: repoRoot, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.signal ?? `exit ${result.status}`})`);
  }
}

function missingDebianPackages(packages) {
  return packages.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

function ensureSystemPackages(packages) {
  if (!existsSync('/usr/bin/dpkg-query')) {
    log(`Not a Debian system: make sure these (or your system's equivalents) are installed: ${packages.join(' ')}`);
    return;
  }
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing system packages. Install them with:\n  sudo apt-get install ${missing.join(' ')}`);
  }
  log(`Installing system packages: ${missing.join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  stopDistributionServices(missing.flatMap((name) => TEST_DAEMONS[name] ?? []));
}

/** Stops and disables the services a package just started (where systemd runs); a failure only means there was none. */
function stopDistributionServices(services) {
  if (services.length === 0 || !existsSync('/run/systemd/system')) return;
  for (const service of services) spawnSync('systemctl', ['disable', '--now', service], { stdio: 'ignore' });
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'build' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function ensureNodeModules() {
  const stamp = join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = join(repoRoot, 'package-lock.json');
  const manifests = ['package.json', 'shared', 'sip', 'sfu', 'server', 'client', 'e2e', 'testing'].map((p) =>
    join(repoRoot, p, p.endsWith('.json') ? '' : 'package.json'),
  );
  const newestManifest = Math.max(statSync(lock).mtimeMs, ...manifests.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  // mediasoup's own postinstall would download a prebuilt worker (impossible offline): with
  // this variable set (to anything) it skips that, and sfu/scripts/build-worker.sh builds the
  // worker from the installed package's sources afterwards.
  const env = toolEnv(process.env, { MEDIASOUP_WORKER_BIN: 'built-by-sfu/scripts/build-worker.sh' });
  // Native addons (the Opus codec) are compiled for one Node ABI; a checkout installed under
  // another Node (an older machine Node, say) would fail to load them at the first call.
  const abiStamp = join(repoRoot, 'node_modules', '.konferenz-node-abi');
  const abi = process.versions.modules;
  if (!existsSync(stamp) || statSync(stamp).mtimeMs < newestManifest) {
    log('Installing npm dependencies');
    installNpmPackages(repoRoot, env);
  } else if ((existsSync(abiStamp) ? readFileSync(abiStamp, 'utf8') : '') !== abi) {
    log(`Rebuilding native npm packages for Node ${process.version} (ABI ${abi})`);
    run('npm', ['rebuild'], { env });
  }
  writeFileSync(abiStamp, abi);
}

/** Builds the worker, or finds it in the cache in well under a second; returns the binary's path (its only stdout line). */
function buildMediasoupWorker() {
  const result = spawnSync('bash', ['sfu/scripts/build-worker.sh'], { stdio: ['inherit', 'pipe', 2], cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sfu/scripts/build-worker.sh failed (${result.signal ?? `exit ${result.status}`})`);
  return result.stdout.trim();
}

/** Compiler options every workspace inherits; sources are named relative to the workspace. */
const ROOT_TSCONFIG = '../tsconfig.json';

/** Rebuilds a workspace when any of its sources is newer than its last build. */
function buildWorkspace(name, sources, output) {
  const stamp = join(repoRoot, name, output, '.build-stamp');
  const newestSource = Math.max(...sources.map((source) => newestMtime(join(repoRoot, name, source))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource) return false;
  log(`Building ${name}`);
  run('npm', ['run', 'build', '-w', name], { env: toolEnv() });
  writeFileSync(stamp, new Date().toISOString());
  return true;
}

export function bootstrap({ forTests = false } = {}) {
  const started = Date.now();
  ensureSystemPackages(forTests ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES);
  ensureNodeModules();
  mediasoupWorkerBin = buildMediasoupWorker();
  run('bash', ['scripts/install-ferretdb.sh']);
  const sharedRebuilt = buildWorkspace('shared', ['src', 'package.json', 'tsconfig.json', ROOT_TSCONFIG], 'dist');
  // Everything else compiles against shared's output, so a new shared means new builds.
  if (sharedRebuilt) {
    for (const workspace of ['sfu', 'server', 'client']) {
      const stamp = join(repoRoot, workspace, workspace === 'client' ? 'build' : 'dist', '.build-stamp');
      rmSync(stamp, { force: true });
    }
  }
  const sipRebuilt = buildWorkspace('sip', ['src', 'package.json', 'tsconfig.json', ROOT_TSCONFIG], 'dist');
  // The server compiles against sip's output.
  if (sipRebuilt) rmSync(join(repoRoot, 'server', 'dist', '.build-stamp'), { force: true });
  buildWorkspace('sfu', ['src', 'package.json', 'tsconfig.json', ROOT_TSCONFIG], 'dist');
  buildWorkspace('server', ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', ROOT_TSCONFIG], 'dist');
  buildWorkspace('client', ['src', 'static', 'scripts', 'package.json', 'tsconfig.json', 'vite.config.ts', ROOT_TSCONFIG], 'build');
  log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
