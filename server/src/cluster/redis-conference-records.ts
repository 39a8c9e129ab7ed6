import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConferenceRecord } from '../conference/conference';
import type { ClusterRedis } from './cluster-redis';
import type { ConferenceRecords } from './conference-records';

const recordKey = (roomNumber: string) => `room:${roomNumber}:record`;

/**
 * Conference records in Redis (`konferenz:room:<number>:record`, JSON). A record outlives its
 * node by `ttlMs` (the join tokens' lifetime: nobody can come back later than that anyway).
 */
export class RedisConferenceRecords implements ConferenceRecords {
  readonly #logger = new Logger('ConferenceRecords');
  readonly #redis: Redis;
  /** Rooms with changes not stored yet, and how to make their record: written once per turn of the event loop. */
  readonly #pending = new Map<string, () => ConferenceRecord>();
  #failing = false;

  constructor(
    cluster: ClusterRedis,
    private readonly ttlMs: number,
  ) {
    this.#redis = cluster.client;
    // What is still pending is written before the connection closes.
    cluster.beforeClose(() => this.#flush());
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
