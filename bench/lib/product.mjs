// What the benchmarks that run the real product share: a private network namespace, a temporary
// work folder that every way of ending the run cleans up, the product started from a copy of its
// build, and a customer with a room and PINs made through the REST API and the welcome mail.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { roomNumberFrom } from '@konferenz/testing/customer-mail';
import { waitForMail } from '@konferenz/testing/maildev';
import { mediasoupWorkerBin, productEnv } from '@konferenz/testing/product-env';
import { registration } from '@konferenz/testing/registration';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function numberFromEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Network namespace.
// ---------------------------------------------------------------------------------------------

/** No network interface but loopback: nothing the run does can reach another machine. */
export const onlyLoopback = () =>
  Object.values(networkInterfaces())
    .flat()
    .every((address) => address?.internal);

/** Whether this process may re-run a script in a private network namespace (root with a working `unshare -n`). */
export const canIsolate = () => process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;

/**
 * Runs `node script ...args` in a new network namespace with only loopback, up. The child is
 * marked with KONFERENZ_BENCH_CHILD so it does not try again; this process's signals are passed
 * on, and the child is stopped when this process's own parent goes away.
 */
export function spawnIsolated(script, args, { stdio = 'inherit', env = {} } = {}) {
  // Ephemeral ports above the benchmarks' fixed ones (3400, 27418, 40400, ...), as in scripts/test.mjs.
  const setup = 'ip link set lo up && echo "50000 60999" > /proc/sys/net/ipv4/ip_local_port_range && exec "$@"';
  const child = spawn('unshare', ['-n', 'sh', '-c', setup, 'sh', process.execPath, script, ...args], {
    stdio,
    env: { ...process.env, ...env, KONFERENZ_BENCH_CHILD: 'netns' },
  });
  const forward = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  const stopWatching = onOrphaned(() => child.kill('SIGTERM'));
  child.on('exit', () => {
    for (const signal of signals) process.off(signal, forward);
    stopWatching();
  });
  return child;
}

/**
 * The start of every benchmark that runs the product: like `npm start`, install and build what is
 * missing (while the network is still there), then re-run the calling script (`scriptUrl`, its
 * import.meta.url) in a private network namespace with only loopback, unless already in one or
 * not possible (then on the host's loopback, said in the log). Resolves in the process that does
 * the measuring, with whether it is isolated; the outer process only waits for the inner one.
 */
export async function enterBenchRun(scriptUrl, log) {
  if (!process.env.KONFERENZ_BENCH_CHILD) {
    const { bootstrap } = await import('../../scripts/bootstrap.mjs');
    bootstrap({ forTests: true });
  }
  // Already isolated (e.g. started inside `unshare -n` by hand): nothing to do.
  if (!process.env.KONFERENZ_BENCH_CHILD && !onlyLoopback()) {
    const wanted = process.env.BENCH_NO_NETNS !== '1';
    if (wanted && canIsolate()) {
      const child = spawnIsolated(fileURLToPath(scriptUrl), process.argv.slice(2));
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      // Nothing else runs in this (outer) process.
      await new Promise(() => undefined);
    }
    log(wanted ? 'cannot create a network namespace (needs root and unshare): running on the host loopback' : 'BENCH_NO_NETNS=1: running on the host loopback');
  }
  /** No network interface but loopback: nothing this run does can reach another machine. */
  return onlyLoopback();
}

/** Calls `stop` when this process's parent goes away (npm killed without passing the signal on); returns the way to stop watching. */
export function onOrphaned(stop) {
  const parent = process.ppid;
  if (parent === 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// A work folder, and everything started in it stopped again.
// ---------------------------------------------------------------------------------------------

/**
 * A temporary folder (with `tmp/` inside, which becomes TMPDIR so that Chromium's profiles and the
 * server's temporary files go there too) and the steps that undo what the run started, run in
 * reverse order by `cleanup()` once, however the run ends.
 */
export class Workspace {
  #steps = [];
  #cleaning = null;
  #log;
  #previousTmpdir = process.env.TMPDIR;

  constructor(prefix, log) {
    this.#log = log;
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.tmp = join(this.dir, 'tmp');
    mkdirSync(this.tmp);
    process.env.TMPDIR = this.tmp;
  }

  defer(step) {
    this.#steps.push(step);
  }

  cleanup() {
    this.#cleaning ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step();
        } catch (error) {
          this.#log('cleanup:', error.message);
        }
      }
      rmSync(this.dir, { recursive: true, force: true });
      if (this.#previousTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = this.#previousTmpdir;
    })();
    return this.#cleaning;
  }

  /** Ctrl-C, SIGTERM, SIGHUP or a vanished parent: clean up and exit 130. Returns the way to stop listening. */
  cleanupOnSignals() {
    const stopOn = (reason) => {
      this.#log(`${reason}: stopping`);
      void this.cleanup().finally(() => process.exit(130));
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, stopOn);
    const stopWatching = onOrphaned(() => stopOn('parent process gone'));
    return () => {
      for (const signal of signals) process.off(signal, stopOn);
      stopWatching();
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The product's server, as a user starts it.
// ---------------------------------------------------------------------------------------------

/**
 * A copy of the built server (with its assets) and client, taken now: a rebuild in the working tree during the run
 * (someone else's `npm run build`) would otherwise change the files under the running server (for
 * the browsers: a new inline-script hash, missing chunks). The server finds the client, FerretDB
 * and MailDev beside its own folder, so the copy gets links to the rest of the tree.
 */
function snapshotProduct(workspace) {
  for (const file of ['server/dist/main.js', 'client/build/index.html']) {
    if (!existsSync(join(repoRoot, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const root = join(workspace.dir, 'product');
  // Several servers of one run (bench:cluster) share one snapshot.
  if (existsSync(root)) return root;
  cpSync(join(repoRoot, 'server/dist'), join(root, 'server/dist'), { recursive: true });
  cpSync(join(repoRoot, 'server/package.json'), join(root, 'server/package.json'));
  // The phone menu's prompts.
  cpSync(join(repoRoot, 'server/assets'), join(root, 'server/assets'), { recursive: true });
  cpSync(join(repoRoot, 'client/build'), join(root, 'client/build'), { recursive: true });
  for (const linked of ['node_modules', '.tools', 'package.json']) {
    if (existsSync(join(repoRoot, linked))) symlinkSync(join(repoRoot, linked), join(root, linked));
  }
  return root;
}

/** Passes the server's output on to stderr, each line marked. */
export const forwardServerLine = (line) => process.stderr.write(`[server] ${line}\n`);

/**
 * Starts `node server/dist/main.js` from a snapshot, with a temporary DATA_DIR (embedded FerretDB
 * and MailDev), the given ports, loopback only, high registration/login/PIN limits, and `env` on
 * top; resolves once it answers HTTP. Each line it prints goes to `onLine`. Stopping it is
 * deferred to the workspace's cleanup.
 */
export async function startProduct({ workspace, log, ports, env: extraEnv = {}, onLine = forwardServerLine }) {
  const productRoot = snapshotProduct(workspace);
  const workerBin = mediasoupWorkerBin(repoRoot);
  if (!existsSync(workerBin)) throw new Error(`mediasoup worker not found at ${workerBin} (set MEDIASOUP_WORKER_BIN)`);
  const baseURL = `http://127.0.0.1:${ports.http}`;
  const env = {
    ...process.env,
    ...productEnv({ ports: { ...ports, sip: ports.sip ?? 0 }, dataDir: join(workspace.dir, 'data'), workerBin }),
    LOG_LEVEL: 'warn',
    REGISTRATIONS_PER_IP_PER_HOUR: '1000',
    LOGIN_MAX_FAILURES_PER_IP: '1000',
    PIN_MAX_FAILURES_PER_SOURCE: '1000',
    PIN_ROOM_BACKOFF_AFTER: '1000',
    ...extraEnv,
  };
  const server = spawn(process.execPath, ['server/dist/main.js'], { cwd: productRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const stream of [server.stdout, server.stderr]) splitLines(stream, onLine);
  let exited = false;
  const exit = new Promise((done) => server.on('exit', (code, signal) => ((exited = true), done({ code, signal }))));
  workspace.defer(async () => {
    if (exited) return;
    server.kill('SIGTERM'); // stops its embedded FerretDB and MailDev, then exits
    const stopped = await Promise.race([exit.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) {
      log('server did not stop within 15 s: killing its process group');
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  });

  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error('the server exited during startup (see [server] lines above)');
    try {
      const response = await fetch(`${baseURL}/api/auth/session`);
      if (response.status < 500) return { pid: server.pid, baseURL, mailURL: `http://127.0.0.1:${ports.mailWeb}`, exited: () => exited };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error('the server did not answer within 120 s');
}

function splitLines(stream, onLine) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => rest && onLine(rest));
}

// ---------------------------------------------------------------------------------------------
// A customer with a room and PINs, through the REST API.
// ---------------------------------------------------------------------------------------------

async function api(baseURL, path, { method = 'GET', body, cookie } = {}) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['X-Konferenz-CSRF'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (cookie) headers.cookie = cookie;
  const response = await fetch(`${baseURL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

/** Registers a customer, reads the room number from the welcome mail (MailDev's API), logs in and sets the PINs; returns the room number. */
export async function customerRoom({ baseURL, mailURL }, { moderatorPin, participantPin }) {
  const form = registration();
  await api(baseURL, '/api/accounts', { method: 'POST', body: form });
  const [welcome] = await waitForMail(mailURL, form.email, { timeoutMs: 15_000 });
  const roomNumber = roomNumberFrom(welcome.text);

  const login = await api(baseURL, '/api/auth/login', { method: 'POST', body: { login: form.username, password: form.password } });
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  await api(baseURL, '/api/account/pins', { method: 'POST', cookie, body: { moderatorPin, participantPin } });
  return roomNumber;
}
