import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SupervisedProcess, whenReady } from '../embedded/supervised-process';

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

async function bothPortsOpen(smtpPort: number, webPort: number): Promise<void> {
  while (!(await acceptsConnections(smtpPort)) || !(await acceptsConnections(webPort))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * MailDev as a child process: a real SMTP server the app delivers to, and a web inbox where a
 * person running `npm start` reads the registration mail. Only loopback, never relays.
 */
export class EmbeddedMailCatcher {
  private constructor(
    readonly smtpUrl: string,
    readonly webUrl: string,
    private readonly process: SupervisedProcess,
  ) {}

  static async start(options: EmbeddedMailCatcherOptions): Promise<EmbeddedMailCatcher> {
    mkdirSync(options.mailDir, { recursive: true });
    const maildev = new SupervisedProcess(
      process.execPath,
      [
        join(options.repoRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
        ...['--smtp', String(options.smtpPort), '--web', String(options.webPort)],
        ...['--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', options.mailDir],
      ],
      { onLine: options.log },
    );
    await whenReady(maildev, 'The mail catcher (MailDev)', bothPortsOpen(options.smtpPort, options.webPort), STARTUP_TIMEOUT_MS);
    return new EmbeddedMailCatcher(`smtp://127.0.0.1:${options.smtpPort}`, `http://127.0.0.1:${options.webPort}`, maildev);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
