import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ApiException } from '../common/api-exception';
import type { ClusterRedis } from './cluster-redis';
import { CLAIM_ROOM, RELEASE_ROOM, RENEW_ROOM } from './room-lease-scripts';
import type { RoomClaim, RoomOwnership } from './room-ownership';

export interface RedisOwnershipOptions {
  nodeId: string;
  nodeUrl: string;
  leaseMs: number;
}

const SINCE_KEY = 'cluster:since';
/** The live nodes: each node's record, scored with when its registration runs out (renewed with its leases). */
const NODES_KEY = 'cluster:nodes';

type LeaseCommands = {
  claimRoom(owner: string, since: string, record: string, leaseMs: number): Promise<[number, string]>;
  renewRoom(owner: string, since: string, record: string, leaseMs: number): Promise<number>;
  releaseRoom(owner: string, record: string): Promise<number>;
};

const ownerKey = (roomNumber: string) => `room:${roomNumber}:owner`;
const urlOf = (record: string) => record.slice(record.indexOf('|') + 1);

/**
 * Room leases in Redis (ioredis). A claim sets `konferenz:room:<number>:owner` to this node's
 * record ("<node id>|<node url>") with the lease as expiry; every third of the lease the rooms this
 * node holds are renewed in one pipeline. Redis down: claims fail at once (no offline queue) with
 * SERVICE_UNAVAILABLE, running conferences go on, and renewal resumes when Redis is back.
 */
export class RedisRoomOwnership implements RoomOwnership {
  readonly #logger = new Logger('RoomOwnership');
  readonly #cluster: ClusterRedis;
  readonly #redis: Redis & LeaseCommands;
  readonly #record: string;
  /** Rooms this node holds, with when each was claimed. */
  readonly #held = new Map<string, number>();
  #running: (roomNumber: string) => boolean = () => true;
  readonly #lostListeners: ((roomNumber: string) => void)[] = [];
  readonly #renewal: NodeJS.Timeout;
  /** Released everything for a stop: claims no room any more. */
  #stopped = false;

  constructor(
    cluster: ClusterRedis,
    private readonly options: RedisOwnershipOptions,
  ) {
    this.#record = `${options.nodeId}|${options.nodeUrl}`;
    this.#cluster = cluster;
    const redis = cluster.client;
    redis.defineCommand('claimRoom', { numberOfKeys: 2, lua: CLAIM_ROOM });
    redis.defineCommand('renewRoom', { numberOfKeys: 2, lua: RENEW_ROOM });
    redis.defineCommand('releaseRoom', { numberOfKeys: 1, lua: RELEASE_ROOM });
    this.#redis = redis as Redis & LeaseCommands;
    // A node closed without stop() (an error at start-up, a test) still frees its rooms.
    cluster.beforeClose(() => this.releaseAll());
    this.#renewal = setInterval(() => void this.#renew(), Math.max(100, Math.floor(options.leaseMs / 3)));
    this.#renewal.unref();
    void this.#register();
  }

  async claim(roomNumber: string): Promise<RoomClaim> {
    if (this.#stopped) return this.#elsewhere(roomNumber);
    let answer: [number, string];
    try {
      answer = await this.#redis.claimRoom(ownerKey(roomNumber), SINCE_KEY, this.#record, this.options.leaseMs);
    } catch (error) {
      this.#cluster.unreachable((error as Error).message);
      throw new ApiException('SERVICE_UNAVAILABLE');
    }
    const [verdict, owner] = answer;
    if (verdict === 1) {
      if (!this.#held.has(roomNumber)) this.#held.set(roomNumber, Date.now());
      return { owned: true };
    }
    // Redis lost its data a moment ago: the rooms' previous owners take theirs back first.
    if (verdict === -1) throw new ApiException('SERVICE_UNAVAILABLE');
    return { owned: false, nodeUrl: urlOf(owner) };
  }

  /**
   * A stopping node runs no room: the node that runs it now, else any other live node (which
   * opens it on the first arrival). SERVICE_UNAVAILABLE when there is none, or no Redis to ask.
   */
  async #elsewhere(roomNumber: string): Promise<RoomClaim> {
    try {
      const owner = await this.#redis.get(ownerKey(roomNumber));
      if (owner && owner !== this.#record) return { owned: false, nodeUrl: urlOf(owner) };
      const others = (await this.#redis.zrangebyscore(NODES_KEY, Date.now(), '+inf')).filter((record) => record !== this.#record);
      const chosen = others[Math.floor(Math.random() * others.length)];
      if (chosen) return { owned: false, nodeUrl: urlOf(chosen) };
    } catch (error) {
      this.#cluster.unreachable((error as Error).message);
    }
    throw new ApiException('SERVICE_UNAVAILABLE');
  }

  async release(roomNumber: string): Promise<void> {
    this.#held.delete(roomNumber);
    await this.#redis.releaseRoom(ownerKey(roomNumber), this.#record);
  }

  holdWhile(running: (roomNumber: string) => boolean): void {
    this.#running = running;
  }

  onLost(listener: (roomNumber: string) => void): void {
    this.#lostListeners.push(listener);
  }

  /** A node that stops frees its rooms at once, so their participants move on without waiting for the lease. */
  async releaseAll(): Promise<void> {
    clearInterval(this.#renewal);
    if (this.#stopped) return;
    this.#stopped = true;
    const rooms = [...this.#held.keys()];
    await Promise.all([
      this.#redis.zrem(NODES_KEY, this.#record).catch(() => undefined),
      ...rooms.map((roomNumber) => this.release(roomNumber).catch(() => undefined)),
    ]);
  }

  /** This node is live for one more lease (and nodes gone longer ago are forgotten). */
  async #register(): Promise<void> {
    const now = Date.now();
    await this.#redis
      .multi()
      .zadd(NODES_KEY, now + this.options.leaseMs, this.#record)
      .zremrangebyscore(NODES_KEY, '-inf', now)
      .exec()
      .catch(() => undefined);
  }

  async #renew(): Promise<void> {
    void this.#register();
    const abandonedBefore = Date.now() - this.options.leaseMs;
    for (const [roomNumber, claimedAt] of this.#held) {
      if (claimedAt < abandonedBefore && !this.#running(roomNumber)) void this.release(roomNumber).catch(() => undefined);
    }
    if (this.#held.size === 0) return;
    const rooms = [...this.#held.keys()];
    const pipeline = this.#redis.pipeline() as ReturnType<Redis['pipeline']> & { renewRoom(...args: unknown[]): unknown };
    for (const roomNumber of rooms) pipeline.renewRoom(ownerKey(roomNumber), SINCE_KEY, this.#record, this.options.leaseMs);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      return this.#cluster.unreachable((error as Error).message);
    }
    rooms.forEach((roomNumber, index) => {
      const [error, renewed] = results?.[index] ?? [new Error('no answer'), 0];
      if (error) return this.#cluster.unreachable(error.message);
      if (renewed === 1 || !this.#held.has(roomNumber)) return;
      this.#held.delete(roomNumber);
      this.#logger.warn(`Room ${roomNumber} is run by another node now (this one missed its lease)`);
      for (const listener of this.#lostListeners) listener(roomNumber);
    });
  }
}
