import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SESSIONS_COLLECTION } from './session-middleware';

/**
 * Removes expired sessions every SESSION_SWEEP_SECONDS, in place of connect-mongo's interval
 * sweep. That one deletes with write concern w:0, which tells the server not to answer; FerretDB
 * answers anyway, and on our single connection the driver reads that stray answer as the answer
 * to the next command, and every answer after it as the one to the command after that: logins,
 * sessions and PIN joins fail until the connection is dropped. This delete waits for its answer
 * like every other write.
 */
@Injectable()
export class SessionSweep implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #logger = new Logger('SessionSweep');
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** A database outage is logged when it starts and when it ends, not on every sweep. */
  #failing = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectConnection() private readonly connection: Connection,
  ) {
    this.#intervalMs = config.session.sweepMs;
  }

  onApplicationBootstrap(): void {
    this.#timer = setInterval(() => void this.sweep(), this.#intervalMs);
    this.#timer.unref();
  }

  /** A sweep under way finishes before the database connection closes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Never rejects: a sweep that fails is tried again at the next interval. One at a time. */
  sweep(now = new Date()): Promise<void> {
    this.#running ??= this.#removeExpired(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #removeExpired(now: Date): Promise<void> {
    try {
      await this.connection.collection(SESSIONS_COLLECTION).deleteMany({ expires: { $lt: now } });
      if (this.#failing) this.#logger.log('Expired sessions are removed again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.#logger.warn(`Expired sessions not removed (tried again every sweep, logged again when it works): ${(error as Error).message}`);
      }
      this.#failing = true;
    }
  }
}
