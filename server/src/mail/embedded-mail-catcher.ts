import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface EmbeddedMailCatcherOptions {
  repoRoot: string;
  smtpPort: number;
  webPort: number;
  mailDir: string;
  log?: (line: string) => void;
}

const STARTUP_TIMEOUT_MS = 20_000;

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * MailDev as a child process: a real SMTP server the app delivers to, and a web inbox where a
 * person running `npm start` reads the registration mail. Only loopback, never relays.
 */
export class EmbeddedMailCatcher {
  private constructor(
    readonly smtpUrl: string,
    readonly webUrl: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(options: EmbeddedMailCatcherOptions): Promise<EmbeddedMailCatcher> {
    mkdirSync(options.mailDir, { recursive: true });
    const bin = join(options.repoRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');
    const child = spawn(
      process.execPath,
      [bin, '--smtp', String(options.smtpPort), '--web', String(options.webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', options.mailDir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killOnExit = () => child.kill('SIGKILL');
    process.on('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const output: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        options.log?.(line);
      });
    }
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (!(await acceptsConnections(options.smtpPort)) || !(await acceptsConnections(options.webPort))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The mail catcher (MailDev) did not start; its output:\n${output.slice(-20).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return new EmbeddedMailCatcher(`smtp://127.0.0.1:${options.smtpPort}`, `http://127.0.0.1:${options.webPort}`, child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
