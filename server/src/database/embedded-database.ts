import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  /** Omitted or 0: ferretdb binds a free port itself and reports it, so parallel starts cannot race for one. */
  port?: number;
  binaryPath: string;
  log?: (line: string) => void;
}

const DATABASE = 'konferenz';
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const TAIL_LINES = 30;
const SETPRIV = '/usr/bin/setpriv';

export function ferretdbBinaryPath(repoRoot: string): string {
  return join(repoRoot, '.tools', 'bin', 'ferretdb');
}

/** A FerretDB (MongoDB wire protocol over SQLite files) child process for `npm start` and tests. */
export class EmbeddedDatabase {
  private constructor(
    readonly uri: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    const binaryPath = resolve(options.binaryPath);
    try {
      accessSync(binaryPath, constants.X_OK);
    } catch {
      throw new Error(`ferretdb not found at ${binaryPath}: run scripts/install-ferretdb.sh, or set MONGODB_URI`);
    }
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });

    const args = [
      '--handler=sqlite',
      `--sqlite-url=${pathToFileURL(dataDir + sep).href}`,
      // state.json would otherwise land in the current directory
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${options.port ?? 0}`,
      // the default debug listener on 127.0.0.1:8088 would collide between instances
      '--debug-addr=-',
      '--telemetry=disable',
      // the "Listening on TCP ..." line that tells us the port and readiness is logged at info
      '--log-level=info',
      '--log-format=json',
    ];
    const env = { ...process.env, DO_NOT_TRACK: '1' };
    // On Linux, PR_SET_PDEATHSIG makes the kernel stop ferretdb even when this process is
    // SIGKILLed or dies on a signal, which the 'exit' hook below cannot cover.
    const child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', binaryPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(binaryPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    const exited = new Promise<void>((resolveExit) =>
      child.once('exit', () => {
        process.off('exit', killOnExit);
        resolveExit();
      }),
    );

    const tail: string[] = [];
    let announcedAddress: ((address: string) => void) | undefined;
    const listening = new Promise<string>((resolveAddress) => (announcedAddress = resolveAddress));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (raw) => {
        const { text, listeningOn } = parseLogLine(raw);
        tail.push(text);
        if (tail.length > TAIL_LINES) tail.shift();
        options.log?.(text);
        if (listeningOn) announcedAddress?.(listeningOn);
      });
    }

    let timer: NodeJS.Timeout | undefined;
    const failure = new Promise<never>((_, reject) => {
      const fail = (reason: string) =>
        reject(new Error(`ferretdb ${reason}; its last output:\n${tail.join('\n') || '(none)'}`));
      child.once('error', (error) => fail(`could not be started (${error.message})`));
      child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before accepting connections`));
      timer = setTimeout(() => fail(`did not accept connections within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    });
    // a later exit must not surface as an unhandled rejection once start-up has succeeded
    failure.catch(() => undefined);

    try {
      const address = await Promise.race([listening, failure]);
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      // FerretDB 1.x applies an update as read, modify, write without isolation: concurrent
      // $inc or conditional updates over several connections lose writes. One connection
      // serialises this client's operations and restores single-document atomicity.
      return new EmbeddedDatabase(`mongodb://127.0.0.1:${port}/${DATABASE}?maxPoolSize=1`, port, child, exited);
    } catch (error) {
      // without a pid the spawn itself failed and no 'exit' will follow
      if (child.pid !== undefined) {
        child.kill('SIGKILL');
        await exited;
      }
      process.off('exit', killOnExit);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), STOP_GRACE_MS);
    });
    if ((await Promise.race([this.exited, graceOver])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    clearTimeout(timer);
  }
}

function parseLogLine(raw: string): { text: string; listeningOn?: string } {
  let entry: { level?: string; msg?: string; error?: string };
  try {
    entry = JSON.parse(raw);
  } catch {
    return { text: raw };
  }
  if (typeof entry.msg !== 'string') return { text: raw };
  const text = `${entry.level ?? ''} ${entry.msg}${entry.error ? `: ${entry.error}` : ''}`.trim();
  return { text, listeningOn: /^Listening on TCP (\S+?)\.*$/.exec(entry.msg)?.[1] };
}
