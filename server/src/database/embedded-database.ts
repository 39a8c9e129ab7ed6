import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RestartingService } from '../embedded/restarting-service';
import { SupervisedProcess } from '../embedded/supervised-process';

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  /** Omitted or 0: ferretdb binds a free port itself and reports it, so parallel starts cannot race for one. */
  port?: number;
  binaryPath: string;
  log?: (line: string) => void;
}

const DATABASE = 'konferenz';
const STARTUP_TIMEOUT_MS = 20_000;

export function ferretdbBinaryPath(repoRoot: string): string {
  return join(repoRoot, '.tools', 'bin', 'ferretdb');
}

/**
 * A FerretDB (MongoDB wire protocol over SQLite files) child process for `npm start` and tests,
 * restarted on the same port when it exits, so the app's driver finds it again by itself.
 */
export class EmbeddedDatabase {
  private constructor(
    readonly uri: string,
    readonly port: number,
    private readonly service: RestartingService,
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

    // Port 0 on the first start only: a restart must come back where the app's driver looks.
    let port = options.port ?? 0;
    const service = await RestartingService.start({
      name: 'FerretDB',
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      launch: () => {
        const { process: ferretdb, listening } = launchFerretdb(binaryPath, dataDir, port, options.log);
        return { process: ferretdb, ready: listening.then((address) => (port = Number(address.slice(address.lastIndexOf(':') + 1)))) };
      },
    });
    // FerretDB 1.x applies an update as read, modify, write without isolation: concurrent
    // $inc or conditional updates over several connections lose writes. One connection
    // serialises this client's operations and restores single-document atomicity.
    return new EmbeddedDatabase(`mongodb://127.0.0.1:${port}/${DATABASE}?maxPoolSize=1`, port, service);
  }

  /** The running ferretdb's process id (fault tests kill it). */
  get pid(): number | undefined {
    return this.service.pid;
  }

  stop(): Promise<void> {
    return this.service.stop();
  }
}

function launchFerretdb(
  binaryPath: string,
  dataDir: string,
  port: number,
  log: ((line: string) => void) | undefined,
): { process: SupervisedProcess; listening: Promise<string> } {
  let announce: (address: string) => void = () => undefined;
  const listening = new Promise<string>((resolveAddress) => (announce = resolveAddress));
  const ferretdb = new SupervisedProcess(
    binaryPath,
    [
      '--handler=sqlite',
      `--sqlite-url=${pathToFileURL(dataDir + sep).href}`,
      // state.json would otherwise land in the current directory
      `--state-dir=${dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      // the default debug listener on 127.0.0.1:8088 would collide between instances
      '--debug-addr=-',
      '--telemetry=disable',
      // the "Listening on TCP ..." line that tells us the port and readiness is logged at info
      '--log-level=info',
      '--log-format=json',
    ],
    {
      env: { ...process.env, DO_NOT_TRACK: '1' },
      onLine: (raw) => {
        const { text, listeningOn } = parseLogLine(raw);
        log?.(text);
        if (listeningOn) announce(listeningOn);
      },
    },
  );
  return { process: ferretdb, listening };
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
