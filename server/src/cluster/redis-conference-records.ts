import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ConferenceRecord } from '../conference/conference';
import type { ConferenceRecords } from './conference-records';
import { CLUSTER_REDIS_OPTIONS } from './redis-options';

const recordKey = (roomNumber: string) => `room:${roomNumber}:record`;

/**
 * Conference records in Redis (`konferenz:room:<number>:record`, JSON). A record outlives its
 * node by `ttlMs` (the join tokens' lifetime: nobody can come back later than that anyway).
 */
export class RedisConferenceRecords implements ConferenceRecords, OnApplicationShutdown {
  readonly #logger = new Logger('ConferenceRecords');
  readonly #redis: Redis;
  /** Rooms with changes not stored yet, and how to make their record: written once per turn of the event loop. */
  readonly #pending = new Map<string, () => ConferenceRecord>();
  #failing = false;

  constructor(
    redisUrl: string,
    private readonly ttlMs: number,
  ) {
    this.#redis = new Redis(redisUrl, CLUSTER_REDIS_OPTIONS);
    // The room leases report Redis going away; this connection only needs to not crash on it.
    this.#redis.on('error', () => undefined);
  }

  async load(roomNumber: string): Promise<ConferenceRecord | null> {
    const stored = await this.#redis.get(recordKey(roomNumber));
    if (!stored) return null;
    try {
      return JSON.parse(stored) as ConferenceRecord;
    } catch {
      this.#logger.warn(`Room ${roomNumber}: unreadable conference record ignored`);
      return null;
    }
  }

  save(roomNumber: string, record: () => ConferenceRecord): void {
    if (this.#pending.size === 0) setImmediate(() => this.#flush());
    this.#pending.set(roomNumber, record);
  }

  remove(roomNumber: string): void {
    this.#pending.delete(roomNumber);
    this.#redis.del(recordKey(roomNumber)).catch((error: Error) => this.#failed(roomNumber, error));
  }

  /** What is still pending is written before the connection closes (QUIT waits for the replies). */
  async onApplicationShutdown(): Promise<void> {
    this.#flush();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #flush(): void {
    for (const [roomNumber, record] of this.#pending) {
      this.#redis.set(recordKey(roomNumber), JSON.stringify(record()), 'PX', this.ttlMs).then(
        () => (this.#failing = false),
        (error: Error) => this.#failed(roomNumber, error),
      );
    }
    this.#pending.clear();
  }

  /** Once per outage: every state change of every conference would say it again. */
  #failed(roomNumber: string, error: Error): void {
    if (!this.#failing) this.#logger.warn(`Conference records not stored while Redis fails (room ${roomNumber}: ${error.message})`);
    this.#failing = true;
  }
}
