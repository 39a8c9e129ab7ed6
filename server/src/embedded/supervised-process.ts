import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

const SETPRIV = '/usr/bin/setpriv';
const TAIL_LINES = 30;
const STOP_GRACE_MS = 5_000;

/**
 * A helper service (database, mail catcher) run as a child that never outlives the server: on
 * Linux PR_SET_PDEATHSIG (via setpriv) stops it even when the server is SIGKILLed, and an exit
 * hook covers the rest. Keeps the last lines of its output for error messages.
 */
export class SupervisedProcess {
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  readonly #tail: string[] = [];

  constructor(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {}) {
    const env = options.env ?? process.env;
    this.#child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'TERM', '--', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const killOnExit = () => this.#child.kill('SIGKILL');
    process.on('exit', killOnExit);
    this.exited = new Promise((resolve) =>
      this.#child.once('close', () => {
        process.off('exit', killOnExit);
        resolve();
      }),
    );
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.#tail.push(line);
        if (this.#tail.length > TAIL_LINES) this.#tail.shift();
        options.onLine?.(line);
      });
    }
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Undefined only when the process could not be spawned at all. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** How it ended, for the log: the signal that killed it or its exit code. */
  get exitStatus(): string {
    return this.#child.signalCode ?? `code ${this.#child.exitCode}`;
  }

  /** Rejects, with the output's last lines, if the process fails to start or exits. */
  failure(name: string): Promise<never> {
    return new Promise((_, reject) => {
      const fail = (reason: string) => reject(new Error(`${name} ${reason}; its last output:\n${this.#tail.join('\n') || '(none)'}`));
      this.#child.once('error', (error) => fail(`could not be started (${error.message})`));
      this.#child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return this.exited;
    this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS)));
    if ((await Promise.race([this.exited, graceOver])) === 'timeout') {
      this.#child.kill('SIGKILL');
      await this.exited;
    }
    clearTimeout(timer);
  }
}

/** Runs `ready` against a start-up deadline, failing early if the process dies first. */
export async function whenReady<T>(process: SupervisedProcess, name: string, ready: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const failure = process.failure(name);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not accept connections within ${timeoutMs} ms`)), timeoutMs);
  });
  // A later exit must not surface as an unhandled rejection once start-up has succeeded.
  failure.catch(() => undefined);
  try {
    return await Promise.race([ready, failure, timeout]);
  } catch (error) {
    await process.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
