// `node scripts/with-node.mjs <command> [args...]`: runs the command on a supported Node.
//
// The product needs Node >= 24 (see README, "Supported Node versions"). When the Node running
// this script is older, a pinned Node 24 LTS is installed from the npm registry (the
// `node-linux-<arch>` packages carry the official binaries) into .tools/, and the command runs
// with it first on PATH, so that `node`, `npm` and `npx` in the command and everything it starts
// use it. node-gyp gets the same Node's headers through npm_config_nodedir: its default would be
// a download from nodejs.org. Only Node built-ins here: this runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The oldest major the product runs on; newer majors on the machine are used as they are. */
export const NODE_FLOOR_MAJOR = 24;
/** What is installed when the machine's Node is older than the floor: the current 24.x LTS. */
export const PINNED_NODE_VERSION = '24.22.3';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

function log(message) {
  console.error(`\x1b[36m[konferenz]\x1b[0m ${message}`);
}

export function isSupported(version) {
  return Number(version.replace(/^v/, '').split('.')[0]) >= NODE_FLOOR_MAJOR;
}

/** Folder of the pinned Node (bin/node, include/node), installed on first use. */
export function pinnedNodeDir({ root = repoRoot, arch = process.arch } = {}) {
  const dir = join(root, '.tools', `node-v${PINNED_NODE_VERSION}-linux-${arch}`);
  if (existsSync(join(dir, 'bin', 'node'))) return dir;
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(arch)) {
    throw new Error(
      `Node ${process.version} is too old and no Node ${NODE_FLOOR_MAJOR} can be installed for ${process.platform}-${arch}: install Node >= ${NODE_FLOOR_MAJOR} yourself.`,
    );
  }
  const started = Date.now();
  log(`Node ${process.version} is older than ${NODE_FLOOR_MAJOR}: installing Node ${PINNED_NODE_VERSION} from the npm registry into ${dir}`);
  mkdirSync(dirname(dir), { recursive: true });
  // npm checks the tarball against the registry's integrity hash; unpacking next to the target
  // and renaming keeps a half-written Node from ever being mistaken for an installed one.
  const staging = mkdtempSync(join(dirname(dir), '.node-'));
  try {
    const pack = spawnSync('npm', ['pack', `node-linux-${arch}@${PINNED_NODE_VERSION}`, '--pack-destination', staging, '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (pack.status !== 0) throw new Error(`npm pack node-linux-${arch}@${PINNED_NODE_VERSION} failed: is the npm registry reachable?`);
    const tarball = join(staging, pack.stdout.trim().split('\n').pop());
    const unpacked = join(staging, 'node');
    mkdirSync(unpacked);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1'], { stdio: 'inherit' });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    const check = spawnSync(join(unpacked, 'bin', 'node'), ['--version'], { encoding: 'utf8' });
    if (check.stdout?.trim() !== `v${PINNED_NODE_VERSION}`) throw new Error(`the unpacked Node does not run (${check.error?.message ?? check.stderr})`);
    try {
      renameSync(unpacked, dir);
    } catch (error) {
      // Another `npm start`/`npm test` may have installed the same Node meanwhile.
      if (!existsSync(join(dir, 'bin', 'node'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`Node ${PINNED_NODE_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The environment for a command: unchanged on a supported Node, else the pinned Node first on PATH. */
export function supportedNodeEnv(env = process.env) {
  if (isSupported(process.version)) return env;
  const dir = pinnedNodeDir();
  return { ...env, PATH: `${join(dir, 'bin')}${delimiter}${env.PATH ?? ''}`, npm_config_nodedir: dir };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: node scripts/with-node.mjs <command> [args...]');
    process.exit(2);
  }
  let env;
  try {
    env = supportedNodeEnv();
  } catch (error) {
    console.error(`\n${error.message}`);
    process.exit(1);
  }
  const child = spawn(command, args, { stdio: 'inherit', env });
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to us alone
  // is passed on. Either way we stay until the child is gone and exit as it did.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('error', (error) => {
    console.error(`${command}: ${error.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
}
