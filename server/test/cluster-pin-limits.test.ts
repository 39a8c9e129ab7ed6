import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '@konferenz/testing/redis-server';
import { customerWithRoom } from './support/customer';
import { joinFrom } from './support/join-from';
import { startClusterNode } from './support/cluster-node';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Several nodes count PIN failures together (README "Several nodes"): three app nodes on one real
 * Redis and one database take wrong PINs for one room from many network sources at the same
 * moment, and not one failure is lost, neither the room's nor any source's. (The same burst
 * through one FerretDB from three nodes counted 30 to 32 of 40: src/cluster/single-writer-database.ts.)
 */
const WRONG_PIN = '918273';
const NODES = 3;
const SOURCES = 10;
const TRIES_PER_SOURCE = 4;
let redis: TestRedis;
let inspector: Redis;
let base: TestApp;
const nodes: TestApp[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
  inspector = new Redis(redis.url);
  base = await startTestApp();
  for (let index = 0; index < NODES; index++) {
    nodes.push(await startClusterNode(base, redis.url, `node-${index}`, { PIN_ROOM_BACKOFF_AFTER: '1000', PIN_MAX_FAILURES_PER_SOURCE: '5' }));
  }
});
afterAll(async () => {
  for (const node of nodes.reverse()) await node.close();
  inspector?.disconnect();
  await base?.close();
  await redis?.stop();
});

const failures = async (key: string) => Number(await inspector.hget(`konferenz:attempts:${key}`, 'f'));

describe('PIN failures counted by several nodes', () => {
  it('loses no wrong-PIN count when three nodes count for one room at once', async () => {
    const { roomNumber } = await customerWithRoom(base);
    const attempts: Promise<number>[] = [];
    for (let source = 0; source < SOURCES; source++) {
      for (let attempt = 0; attempt < TRIES_PER_SOURCE; attempt++) {
        attempts.push(joinFrom(nodes[(source + attempt) % NODES]!.url, roomNumber, WRONG_PIN, `127.0.0.${10 + source}`).then(({ status }) => status));
      }
    }
    const statuses = await Promise.all(attempts);
    expect(statuses.filter((status) => status === 401)).toHaveLength(SOURCES * TRIES_PER_SOURCE);
    expect(await failures(`pin-room:${roomNumber}`)).toBe(SOURCES * TRIES_PER_SOURCE);
    for (let source = 0; source < SOURCES; source++) {
      expect(await failures(`pin-try:ip:127.0.0.${10 + source}:${roomNumber}`)).toBe(TRIES_PER_SOURCE);
    }
  });

  it('a source that used its budget on one node is refused by every node', async () => {
    const { roomNumber } = await customerWithRoom(base);
    const source = '127.0.0.99';
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await joinFrom(nodes[attempt % NODES]!.url, roomNumber, WRONG_PIN, source)).status).toBe(401);
    }
    for (const node of nodes) expect((await joinFrom(node.url, roomNumber, WRONG_PIN, source)).status).toBe(429);
  });
});
