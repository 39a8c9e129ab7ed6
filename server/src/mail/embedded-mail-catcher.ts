import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { RestartingService } from '../embedded/restarting-service';
import { SupervisedProcess } from '../embedded/supervised-process';

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

/** Polls only while MailDev runs: a failed start must leave no poller behind. */
async function bothPortsOpen(maildev: SupervisedProcess, smtpPort: number, webPort: number): Promise<void> {
  while (!(await acceptsConnections(smtpPort)) || !(await acceptsConnections(webPort))) {
    if (!maildev.running) throw new Error('MailDev exited before it accepted connections');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * MailDev as a child process: a real SMTP server the app delivers to, and a web inbox where a
 * person running `npm start` reads the registration mail. Only loopback, never relays. Restarted
 * on the same ports when it exits; the mail outbox delivers what it missed meanwhile.
 */
export class EmbeddedMailCatcher {
  private constructor(
    readonly smtpUrl: string,
    readonly webUrl: string,
    private readonly service: RestartingService,
  ) {}

  static async start(options: EmbeddedMailCatcherOptions): Promise<EmbeddedMailCatcher> {
    mkdirSync(options.mailDir, { recursive: true });
    const service = await RestartingService.start({
      name: 'The mail catcher (MailDev)',
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      launch: () => {
        const maildev = new SupervisedProcess(
          process.execPath,
          [
            join(options.repoRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
            ...['--smtp', String(options.smtpPort), '--web', String(options.webPort)],
            ...['--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', options.mailDir],
          ],
          { onLine: options.log },
        );
        return { process: maildev, ready: bothPortsOpen(maildev, options.smtpPort, options.webPort) };
      },
    });
    return new EmbeddedMailCatcher(`smtp://127.0.0.1:${options.smtpPort}`, `http://127.0.0.1:${options.webPort}`, service);
  }

  /** The running MailDev's process id (fault tests kill it). */
  get pid(): number | undefined {
    return this.service.pid;
  }

  stop(): Promise<void> {
    return this.service.stop();
  }
}
