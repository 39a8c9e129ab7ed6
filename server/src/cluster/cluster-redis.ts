import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CLUSTER_REDIS_OPTIONS, REDIS_COMMAND_TIMEOUT_MS } from './redis-options';

/** The node's ClusterRedis; null on one node (no REDIS_URL). */
export const CLUSTER_REDIS = Symbol('CLUSTER_REDIS');

/**
 * A node's one connection to Redis (several nodes), shared by the room leases, the conference
 * records and the attempt counters, which each define their own scripts on it. The one place that
 * says when Redis goes away and comes back, answers the readiness check, and closes the
 * connection, after its users' last writes (`beforeClose`).
 */
export class ClusterRedis implements OnApplicationShutdown {
  readonly client: Redis;
  /** Settles once the connection is first ready, or after a command's timeout: the first commands wait for the connection being made rather than fail. */
  readonly connected: Promise<void>;
  readonly #logger = new Logger('Redis');
  readonly #beforeClose: (() => unknown)[] = [];
  #reachable = true;

  constructor(redisUrl: string) {
    const client = new Redis(redisUrl, CLUSTER_REDIS_OPTIONS);
    // ioredis reports every failed reconnect; one line when Redis goes and one when it is back.
    client.on('error', (error: Error) => this.unreachable(error.message));
    client.on('ready', () => {
      if (!this.#reachable) this.#logger.log('Redis is reachable again');
      this.#reachable = true;
    });
    this.client = client;
    this.connected = new Promise((resolve) => {
      const timeout = setTimeout(resolve, REDIS_COMMAND_TIMEOUT_MS);
      client.once('ready', () => {
        clearTimeout(timeout);
        resolve();
      });
    });
  }

  /** The connection failed, or a command found Redis gone: said once until the connection is ready again. */
  unreachable(reason: string): void {
    if (this.#reachable) this.#logger.warn(`Redis unreachable (${reason}): no conference can be opened until it is back; running ones go on`);
    this.#reachable = false;
  }

  /** Runs (and awaits) `write` before the connection closes at shutdown. */
  beforeClose(write: () => unknown): void {
    this.#beforeClose.push(write);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** QUIT waits for the replies of what was sent before it. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.#beforeClose.map(async (write) => write()));
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
