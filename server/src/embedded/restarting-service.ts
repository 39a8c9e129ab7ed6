import { Logger } from '@nestjs/common';
import { whenReady, type SupervisedProcess } from './supervised-process';

export interface RestartPolicy {
  /** The first restart after an exit waits this long; each failed attempt or short run doubles it. */
  minDelayMs: number;
  maxDelayMs: number;
  /** A run that lasted this long was healthy: the next exit is restarted after minDelayMs again. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { minDelayMs: 500, maxDelayMs: 30_000, stableAfterMs: 60_000 };

export interface Launch {
  process: SupervisedProcess;
  /** Settles when the service accepts connections. */
  ready: Promise<unknown>;
}

export interface RestartingServiceOptions {
  /** For the log and error messages. */
  name: string;
  /** Spawns the service, for the first start and every restart alike (so with the same port). */
  launch: () => Launch;
  startupTimeoutMs: number;
  policy?: RestartPolicy;
  logger?: Pick<Logger, 'log' | 'warn'>;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A helper service (database, mail catcher) that is started again when its process exits
 * without stop() having been called: a crash or an OOM kill would otherwise leave the server
 * answering errors until someone restarts it by hand. Restarts back off so that a service that
 * cannot start (port taken, disk full) does not spin; every exit and restart is logged.
 */
export class RestartingService {
  readonly #options: Required<RestartingServiceOptions>;
  #process: SupervisedProcess;
  #stopping = false;
  /** Ends a backoff wait early, when stop() is called during it. */
  #wakeUp: () => void = () => undefined;
  readonly #supervision: Promise<void>;

  private constructor(options: RestartingServiceOptions, process: SupervisedProcess) {
    this.#options = { policy: DEFAULT_RESTART_POLICY, logger: new Logger('Embedded'), ...options };
    this.#process = process;
    this.#supervision = this.#supervise();
  }

  /** The first start fails as before (the server cannot run without it); only later exits are restarted. */
  static async start(options: RestartingServiceOptions): Promise<RestartingService> {
    const { process, ready } = options.launch();
    await whenReady(process, options.name, ready, options.startupTimeoutMs);
    return new RestartingService(options, process);
  }

  /** The current process's id (tests kill it); after an exit, the dead one's until the restart. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Stops the service for good: a pending restart is cancelled, a restart under way stopped. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeUp();
    await this.#process.stop();
    await this.#supervision;
  }

  async #supervise(): Promise<void> {
    const { name, launch, startupTimeoutMs, policy, logger } = this.#options;
    let delayMs = policy.minDelayMs;
    for (;;) {
      const upSince = Date.now();
      const exited = this.#process;
      await exited.exited;
      if (this.#stopping) return;
      const downSince = Date.now();
      if (downSince - upSince >= policy.stableAfterMs) delayMs = policy.minDelayMs;
      logger.warn(
        `${name} (pid ${exited.pid}) exited unexpectedly (${exited.exitStatus}) after ${seconds(downSince - upSince)}; restarting in ${seconds(delayMs)}`,
      );
      for (;;) {
        await this.#pause(delayMs);
        if (this.#stopping) return;
        delayMs = Math.min(delayMs * 2, policy.maxDelayMs);
        const { process, ready } = launch();
        this.#process = process;
        try {
          await whenReady(process, name, ready, startupTimeoutMs);
          break;
        } catch (error) {
          if (this.#stopping) return;
          logger.warn(`${name} could not be restarted (${(error as Error).message}); next attempt in ${seconds(delayMs)}`);
        }
      }
      if (this.#stopping) return;
      logger.log(`${name} restarted (pid ${this.#process.pid}) after ${seconds(Date.now() - downSince)} down`);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
