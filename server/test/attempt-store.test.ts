import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestRedis } from '@konferenz/testing/redis-server';
import { ClusterRedis } from '../src/cluster/cluster-redis';
import { ApiException } from '../src/common/api-exception';
import { AttemptCounter, AttemptCounterSchema } from '../src/security/attempt-counter.schema';
import { AttemptLimiter, type AttemptPolicy } from '../src/security/attempt-limiter.service';
import type { AttemptStore } from '../src/security/attempt-store';
import { MongoAttemptStore } from '../src/security/mongo-attempt-store';
import { RedisAttemptStore } from '../src/security/redis-attempt-store';

/**
 * The two attempt stores behind the same limiter, each on its real server: the run's FerretDB
 * (one node) and a redis-server of this file's own (several nodes). Both must keep the budgets the
 * same way; only Redis is shared by several nodes, so only it is raced from several connections.
 */
let module: TestingModule;
let redis: TestRedis;
const redisConnections: ClusterRedis[] = [];
const stores: Record<'database' | 'redis', () => AttemptStore> = {
  database: () => new MongoAttemptStore(module.get<Model<AttemptCounter>>(getModelToken(AttemptCounter.name))),
  redis: () => {
    const connection = new ClusterRedis(redis.url);
    redisConnections.push(connection);
    return new RedisAttemptStore(connection);
  },
};

beforeAll(async () => {
  const uri = `mongodb://127.0.0.1:${inject('databasePort')}/konferenz_${randomUUID().slice(0, 8)}?maxPoolSize=1`;
  module = await Test.createTestingModule({
    imports: [MongooseModule.forRoot(uri), MongooseModule.forFeature([{ name: AttemptCounter.name, schema: AttemptCounterSchema }])],
  }).compile();
  await module.get<Model<AttemptCounter>>(getModelToken(AttemptCounter.name)).init();
  redis = await TestRedis.start();
});
afterAll(async () => {
  for (const connection of redisConnections) await connection.onApplicationShutdown();
  await module?.close();
  await redis?.stop();
});

const policy: AttemptPolicy = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 30_000 };
const key = () => `test:${randomUUID()}`;

describe.each(['database', 'redis'] as const)('attempt budgets in the %s', (kind) => {
  let limiter: AttemptLimiter;
  beforeAll(() => {
    limiter = new AttemptLimiter(stores[kind]());
  });

  it('consume: the attempts of a window, then a lockout; a new window after it', async () => {
    const budget = key();
    const start = new Date();
    for (let attempt = 0; attempt < 3; attempt++) expect(await limiter.consume(budget, policy, start)).toBe(true);
    expect(await limiter.consume(budget, policy, start)).toBe(false);
    expect(await limiter.isLocked(budget, new Date(start.getTime() + 29_000))).toBe(true);
    expect(await limiter.consume(budget, policy, new Date(start.getTime() + 29_000))).toBe(false);
    const later = new Date(start.getTime() + 61_000);
    expect(await limiter.isLocked(budget, later)).toBe(false);
    expect(await limiter.consume(budget, policy, later)).toBe(true);
  });

  it('a growing lockout follows the attempts made; refund and clear give budget back', async () => {
    const budget = key();
    const growing: AttemptPolicy = { ...policy, lockoutMs: (attempts) => attempts * 10_000 };
    const start = new Date();
    for (let attempt = 0; attempt < 3; attempt++) await limiter.consume(budget, growing, start);
    await limiter.refund(budget);
    expect(await limiter.consume(budget, growing, start)).toBe(true);
    expect(await limiter.consume(budget, growing, start)).toBe(false);
    expect(await limiter.isLocked(budget, new Date(start.getTime() + 39_000))).toBe(true);
    expect(await limiter.isLocked(budget, new Date(start.getTime() + 41_000))).toBe(false);
    await limiter.clear(budget);
    expect(await limiter.isLocked(budget, start)).toBe(false);
    expect(await limiter.consume(budget, growing, start)).toBe(true);
  });

  it('reserve: a burst gets no more checks than the budget; failures lock, refunds do not', async () => {
    const budget = key();
    const burst = await Promise.all(Array.from({ length: 8 }, () => limiter.reserve(budget, policy, 0)));
    expect(burst.filter(Boolean)).toHaveLength(3);
    // Two right guesses and one wrong: the budget has room again, nothing is locked.
    await limiter.refund(budget);
    await limiter.refund(budget);
    await limiter.fail(budget);
    expect(await limiter.reserve(budget, policy, 0)).toBe(true);
    await limiter.fail(budget);
    expect(await limiter.reserve(budget, policy, 0)).toBe(true);
    await limiter.fail(budget);
    expect(await limiter.reserve(budget, policy, 0)).toBe(false);
    expect(await limiter.isLocked(budget)).toBe(true);
  });

  it('reserve waits for checks in flight instead of refusing correct PINs typed at the same moment', async () => {
    const budget = key();
    for (let attempt = 0; attempt < 3; attempt++) expect(await limiter.reserve(budget, policy, 0)).toBe(true);
    const waiting = limiter.reserve(budget, policy, 2_000);
    setTimeout(() => void limiter.refund(budget), 200);
    expect(await waiting).toBe(true);
  });

  it("remaining and lockedUntil read a budget without counting: its failures left, and its lock's end", async () => {
    const budget = key();
    expect(await limiter.remaining(budget, policy)).toBe(3);
    expect(await limiter.reserve(budget, policy, 0)).toBe(true);
    // A check in flight is not a failure (yet).
    expect(await limiter.remaining(budget, policy)).toBe(3);
    await limiter.fail(budget);
    expect(await limiter.remaining(budget, policy)).toBe(2);
    for (let attempt = 0; attempt < 2; attempt++) {
      await limiter.reserve(budget, policy, 0);
      await limiter.fail(budget);
    }
    expect(await limiter.remaining(budget, policy)).toBe(0);
    expect(await limiter.lockedUntil(budget)).toBeNull();
    const refusedAt = Date.now();
    expect(await limiter.reserve(budget, policy, 0)).toBe(false);
    const until = (await limiter.lockedUntil(budget))!.getTime();
    expect(until).toBeGreaterThanOrEqual(refusedAt + 30_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(await limiter.remaining(budget, policy)).toBe(0);
    expect(await limiter.lockedUntil(budget, new Date(until + 1))).toBeNull();
    expect(await limiter.remaining(budget, policy, new Date(refusedAt + policy.windowMs + 1_000))).toBe(3);
  });

  it('failWhileLocked counts the failure and extends the lockout as the failures grow', async () => {
    const budget = key();
    const growing: AttemptPolicy = { ...policy, lockoutMs: (attempts) => attempts * 10_000 };
    expect(await limiter.failWhileLocked(budget, growing)).toBe(0);
    for (let attempt = 0; attempt < 3; attempt++) {
      await limiter.reserve(budget, growing, 0);
      await limiter.fail(budget);
    }
    const now = new Date();
    expect(await limiter.reserve(budget, growing, 0)).toBe(false);
    expect(await limiter.failWhileLocked(budget, growing, now)).toBe(4);
    expect(await limiter.isLocked(budget, new Date(now.getTime() + 49_000))).toBe(true);
    expect(await limiter.isLocked(budget, new Date(now.getTime() + 51_000))).toBe(false);
  });

  it('takeTurn spaces concurrent callers and refuses a turn too far away', async () => {
    const budget = key();
    const started = Date.now();
    const turns = await Promise.all(Array.from({ length: 3 }, () => limiter.takeTurn(budget, 150, 1_000).then((took) => (took ? Date.now() - started : -1))));
    const sorted = turns.sort((a, b) => a - b);
    // Turns start 150 ms apart; a busy event loop can only make a caller later, never earlier.
    expect(sorted[0]).toBeGreaterThanOrEqual(0);
    expect(sorted[1]).toBeGreaterThanOrEqual(140);
    expect(sorted[2]).toBeGreaterThanOrEqual(290);
    const slow = key();
    expect(await limiter.takeTurn(slow, 5_000, 100)).toBe(true);
    expect(await limiter.takeTurn(slow, 5_000, 100)).toBe(false);
  });
});

describe('attempt counters in the database', () => {
  it('are swept once stale, unless they still hold a lockout', async () => {
    const model = module.get<Model<AttemptCounter>>(getModelToken(AttemptCounter.name));
    const old = new Date(Date.now() - 25 * 60 * 60_000);
    const [stale, locked] = [key(), key()];
    await model.create({ key: stale, attempts: 3, windowStartedAt: old, lockedUntil: null });
    await model.create({ key: locked, attempts: 9, windowStartedAt: old, lockedUntil: new Date(Date.now() + 60_000) });
    await new MongoAttemptStore(model).sweep();
    expect(await model.countDocuments({ key: stale })).toBe(0);
    expect(await model.countDocuments({ key: locked })).toBe(1);
  });
});

describe('attempt counters in Redis', () => {
  it('expire by themselves: a day after their window started, or when their lockout ends if later', async () => {
    const limiter = new AttemptLimiter(stores.redis());
    const inspector = new Redis(redis.url);
    const [plain, locked] = [key(), key()];
    const now = new Date();
    await limiter.consume(plain, policy, now);
    await limiter.consume(locked, { ...policy, maxAttempts: 0, lockoutMs: 48 * 60 * 60_000 }, now);
    expect(await inspector.pexpiretime(`konferenz:attempts:${plain}`)).toBe(now.getTime() + 24 * 60 * 60_000);
    expect(await inspector.pexpiretime(`konferenz:attempts:${locked}`)).toBe(now.getTime() + 48 * 60 * 60_000);
    inspector.disconnect();
  });
});

describe('attempt budgets in Redis under several nodes', () => {
  it('three nodes, each with its own connection, counting one key at once lose no count', async () => {
    const nodes = [stores.redis(), stores.redis(), stores.redis()].map((store) => new AttemptLimiter(store));
    const budget = key();
    const roomy: AttemptPolicy = { maxAttempts: 1_000, windowMs: 60_000, lockoutMs: 1_000 };
    await Promise.all(
      Array.from({ length: 300 }, async (_, index) => {
        const limiter = nodes[index % nodes.length]!;
        expect(await limiter.reserve(budget, roomy, 5_000)).toBe(true);
        await limiter.fail(budget);
      }),
    );
    const inspector = stores.redis() as RedisAttemptStore;
    expect(await inspector.hold(budget, roomy.windowMs, 300, new Date())).toEqual({ held: false, failures: 300 });
  });

  it('Redis away: a clear SERVICE_UNAVAILABLE at once, counting again when it is back', async () => {
    const limiter = new AttemptLimiter(stores.redis());
    const budget = key();
    expect(await limiter.consume(budget, policy)).toBe(true);
    await redis.stop('SIGTERM');
    const started = Date.now();
    const refused = await limiter.consume(budget, policy).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiException);
    expect((refused as ApiException).code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_500);
    await redis.start();
    await expect.poll(() => limiter.consume(key(), policy).catch(() => 'down'), { timeout: 5_000 }).toBe(true);
  });
});
