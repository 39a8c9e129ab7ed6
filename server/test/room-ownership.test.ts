import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestRedis } from '@konferenz/testing/redis-server';
import { ConferenceService } from '../src/conference/conference.service';
import { freePort } from '../src/embedded/free-port';
import { PhoneGatewayService } from '../src/phone/phone-gateway.service';
import { captureLogs } from './phone/support/log-capture';
import { recordPrompts } from './phone/support/phone-observation';
import { RawCaller, RtpPeer } from './phone/support/raw-caller';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { startClusterNode } from './support/cluster-node';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Several nodes on one real Redis (Debian's redis-server) and one database: exactly one node runs
 * each live conference, any node answers the join and sends the socket on to that node, a room is
 * free again when its conference ends, its node stops or its lease runs out, and Redis going away
 * stops new rooms (a clear 503) but not the conferences already running.
 */
const LEASE_SECONDS = 2;
let redis: TestRedis;
let inspector: Redis;
/** Customers register and log in here (see conference-restart.test.ts on passport); the nodes share its database. */
let base: TestApp;
const nodes: TestApp[] = [];
const open: ConferenceParticipant[] = [];

beforeAll(async () => {
  redis = await TestRedis.start();
  inspector = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  // It sees Redis stop in the last test, like the nodes.
  inspector.on('error', () => undefined);
  // A Redis that has been up for a while: a fresh (or emptied) one first holds every claim back
  // for one lease, which the last test covers.
  await inspector.set('konferenz:cluster:since', '0');
  base = await startTestApp();
});
afterAll(async () => {
  inspector?.disconnect();
  await base?.close();
  await redis?.stop();
});
afterEach(async () => {
  for (const participant of open.splice(0)) participant.close();
  for (const node of nodes.splice(0)) await node.close().catch(() => undefined);
});

async function node(name: string, environment: Record<string, string> = {}): Promise<TestApp> {
  const app = await startClusterNode(base, redis.url, name, { ROOM_LEASE_SECONDS: String(LEASE_SECONDS), ...environment });
  nodes.push(app);
  return app;
}

async function token(app: TestApp, roomNumber: string, pin: string, displayName: string): Promise<string> {
  const answer = await app.client().post('/api/conference/join', { roomNumber, pin, displayName });
  expect(answer.status).toBe(200);
  return answer.body.token as string;
}

async function connect(app: TestApp, joinToken: string): Promise<ConferenceParticipant> {
  const participant = await ConferenceParticipant.connect(app.url, joinToken);
  open.push(participant);
  return participant;
}

/** What a browser is told by a node that does not run the room. */
async function refusal(app: TestApp, joinToken: string): Promise<{ message: string; data?: { nodeUrl?: string } }> {
  const error = await ConferenceParticipant.connect(app.url, joinToken).then(
    (participant) => {
      open.push(participant);
      throw new Error(`${app.url} seated the participant`);
    },
    (refused: Error & { data?: { nodeUrl?: string } }) => refused,
  );
  return { message: error.message, data: error.data };
}

const ownerOf = async (roomNumber: string) => (await inspector.get(`konferenz:room:${roomNumber}:owner`))?.split('|')[0] ?? null;

describe('several nodes on one Redis', () => {
  it('any node answers the join; the node that does not run the room sends the socket to the one that does', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const { roomNumber } = await customerWithRoom(base);
    const moderator = await connect(a, await token(b, roomNumber, MODERATOR_PIN, 'Moderatorin'));
    const guestToken = await token(b, roomNumber, PARTICIPANT_PIN, 'Gast');
    expect(await refusal(b, guestToken)).toEqual({ message: 'ROOM_ON_OTHER_NODE', data: { nodeUrl: a.url } });
    const guest = await connect(a, guestToken);
    await guest.waitForState((state) => state.self.state === 'admitted' && state.participants.length === 2);
    await moderator.waitForState((state) => state.participants.length === 2);
    expect(await ownerOf(roomNumber)).toBe('node-a');
    // Pages from any node may open their socket on the others, and nowhere else.
    expect((await fetch(`${b.url}/healthz`)).headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:* ws://127.0.0.1:*;");
  });

  it('of many first connections on two nodes at once, all end up on one node', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const { roomNumber } = await customerWithRoom(base);
    const tokens = await Promise.all(Array.from({ length: 16 }, (_, index) => token(a, roomNumber, PARTICIPANT_PIN, `Gast ${index}`)));
    const outcomes = await Promise.all(
      tokens.map((joinToken, index) =>
        ConferenceParticipant.connect((index % 2 ? a : b).url, joinToken).then(
          (participant) => (open.push(participant), index % 2 ? 'node-a' : 'node-b'),
          (error: Error & { data?: { nodeUrl?: string } }) => `${error.message} ${error.data?.nodeUrl === (index % 2 ? b : a).url}`,
        ),
      ),
    );
    const owner = await ownerOf(roomNumber);
    expect(['node-a', 'node-b']).toContain(owner);
    for (const [index, outcome] of outcomes.entries()) {
      const onOwner = (index % 2 ? 'node-a' : 'node-b') === owner;
      expect(outcome).toBe(onOwner ? owner : 'ROOM_ON_OTHER_NODE true');
    }
  });

  it('frees the room when its conference ends and when its node stops: another node takes it at once', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const { roomNumber } = await customerWithRoom(base);
    const first = await connect(a, await token(a, roomNumber, MODERATOR_PIN, 'Moderatorin'));
    await first.waitForState((state) => state.participants.length === 1);
    expect(await first.request('conference:leave', {})).toEqual({ ok: true, data: {} });
    await first.waitForDisconnect();
    const second = await connect(b, await token(b, roomNumber, MODERATOR_PIN, 'Moderatorin'));
    await second.waitForState((state) => state.participants.length === 1);
    expect(await ownerOf(roomNumber)).toBe('node-b');

    await b.close();
    nodes.splice(nodes.indexOf(b), 1);
    expect(await ownerOf(roomNumber)).toBeNull();
    // Told to move (through the front door, to whichever node takes the room), not to wait for this one.
    expect(second.events.map((entry) => entry.event)).toContain('conference:moved');
    // The browser's token still works on the node that takes over: no PIN again.
    const back = await connect(a, (second as ConferenceParticipant & { socket: { auth: { token: string } } }).socket.auth.token);
    await back.waitForState((state) => state.self.role === 'moderator' && state.participants.length === 1);
  });

  it('a conference moved by a stop opens on the next node as it was: who was let in, muted, with a raised hand', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const { client: owner, roomNumber } = await customerWithRoom(base);
    expect((await owner.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'end' })).status).toBe(200);
    const [moderatorToken, guestToken] = [await token(a, roomNumber, MODERATOR_PIN, 'Moderatorin'), await token(a, roomNumber, PARTICIPANT_PIN, 'Gast')];
    const moderator = await connect(a, moderatorToken);
    const guest = await connect(a, guestToken);
    const guestId = (await guest.waitForState((state) => state.self.state === 'waiting')).self.id;
    expect(await moderator.request('moderator:admit', { participantId: guestId })).toEqual({ ok: true, data: {} });
    expect(await moderator.request('moderator:mute', { participantId: guestId })).toEqual({ ok: true, data: {} });
    expect((await guest.request('participant:setAttributes', { attributes: { hand: '1764850000000' } })).ok).toBe(true);
    await moderator.waitForState((state) => state.participants.some((p) => p.id === guestId && p.attributes['hand'] && p.mutedByModerator));

    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    expect(await inspector.exists(`konferenz:room:${roomNumber}:record`)).toBe(1);
    // Back on node B: the guest first, waiting for a moderator (those inside do not stay without one here);
    // with the moderator, in again though admission is by hand.
    const guestAgain = await connect(b, guestToken);
    await guestAgain.waitForState((state) => state.self.state === 'waiting');
    await connect(b, moderatorToken);
    const back = await guestAgain.waitForState((state) => state.self.state === 'admitted');
    expect(back.self).toMatchObject({ mutedByModerator: true, attributes: { hand: '1764850000000' } });
  });

  it('lets go of a claim that never led to a running conference (the socket went away before it was seated)', async () => {
    const a = await node('node-a');
    const { roomNumber } = await customerWithRoom(base);
    await a.app.get(ConferenceService).claim(roomNumber);
    expect(await ownerOf(roomNumber)).toBe('node-a');
    await expect.poll(() => ownerOf(roomNumber), { timeout: 2 * LEASE_SECONDS * 1000 + 2_000, interval: 100 }).toBeNull();
  });

  it('a phone call for a room whose node cannot be reached hears "service unavailable" and goodbye', async () => {
    const a = await node('node-a', { SIP_PORT: String(await freePort()) });
    const { roomNumber } = await customerWithRoom(base);
    await inspector.set(`konferenz:room:${roomNumber}:owner`, 'node-b|http://127.0.0.1:9', 'PX', 60_000);
    const logs = captureLogs();
    const prompts = recordPrompts();
    const rtp = await RtpPeer.open();
    const call = await RawCaller.open(a.app.get(PhoneGatewayService).port!);
    try {
      await call.call(rtp.port);
      let sequence = 0;
      const keepTalking = setInterval(() => rtp.send(call.gatewayRtpPort, 0, ++sequence), 20);
      await call.key(`${roomNumber}#${PARTICIPANT_PIN}#`);
      await expect.poll(() => call.byeAt, { timeout: 20_000 }).toBeDefined();
      clearInterval(keepTalking);
      expect(prompts[0]!.slice(-2)).toEqual(['de/service-unavailable', 'de/goodbye']);
      expect(logs.error.some((line) => line.includes(`room ${roomNumber}): SERVICE_UNAVAILABLE`))).toBe(true);
    } finally {
      call.close();
      rtp.close();
      await inspector.del(`konferenz:room:${roomNumber}:owner`);
    }
  });

  it('a node that died keeps its rooms until its lease runs out, then any node takes them over', async () => {
    const a = await node('node-a');
    const { roomNumber } = await customerWithRoom(base);
    // What a node that died leaves behind: its last renewal, running out after the lease.
    await inspector.set(`konferenz:room:${roomNumber}:owner`, 'node-gone|http://127.0.0.1:9', 'PX', LEASE_SECONDS * 1000);
    const joinToken = await token(a, roomNumber, MODERATOR_PIN, 'Moderatorin');
    expect(await refusal(a, joinToken)).toEqual({ message: 'ROOM_ON_OTHER_NODE', data: { nodeUrl: 'http://127.0.0.1:9' } });
    const started = Date.now();
    for (;;) {
      const outcome = await ConferenceParticipant.connect(a.url, joinToken).then(
        (participant) => (open.push(participant), 'seated'),
        () => 'refused',
      );
      if (outcome === 'seated') break;
      expect(Date.now() - started).toBeLessThan(LEASE_SECONDS * 1000 + 2_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await ownerOf(roomNumber)).toBe('node-a');
  });

  it('Redis going away: PIN checks and new rooms get a fast clear refusal, running conferences go on, all comes back with Redis', async () => {
    const a = await node('node-a');
    const [running, waitingRoom] = [await customerWithRoom(base), await customerWithRoom(base)];
    const moderator = await connect(a, await token(a, running.roomNumber, MODERATOR_PIN, 'Moderatorin'));
    await moderator.waitForState((state) => state.participants.length === 1);
    // Join tokens handed out before Redis went (a PIN needs Redis: its failures are counted there).
    const [newRoomToken, guestToken] = [
      await token(a, waitingRoom.roomNumber, MODERATOR_PIN, 'Moderatorin'),
      await token(a, running.roomNumber, MODERATOR_PIN, 'Co-Moderator'),
    ];

    await redis.stop('SIGTERM');
    const started = Date.now();
    const pinCheck = await a.client().post('/api/conference/join', { roomNumber: running.roomNumber, pin: MODERATOR_PIN, displayName: 'Gast' });
    expect(pinCheck.status).toBe(503);
    expect(pinCheck.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(await refusal(a, newRoomToken)).toMatchObject({ message: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3_000);
    const readiness = await a.client().get('/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.parts.redis).toMatch(/^down/);
    // The conference already running here goes on: its participants still get answers.
    expect(await moderator.request('moderator:setLocked', { locked: true })).toEqual({ ok: true, data: {} });
    // A guest of the running room whose PIN was checked still gets in: the room is this node's.
    const guest = await connect(a, guestToken);
    await guest.waitForState((state) => state.participants.length === 2);

    // Redis comes back empty (no persistence): the running room is claimed back by its node first.
    await redis.start();
    await expect.poll(() => ownerOf(running.roomNumber), { timeout: 5_000 }).toBe('node-a');
    await expect.poll(async () => (await a.client().get('/readyz')).status, { timeout: 5_000 }).toBe(200);
    // PINs are checked again once the attempt counters' connection is back too (it retries every 2 s at most).
    let joinToken = '';
    await expect
      .poll(
        async () => {
          const answer = await a.client().post('/api/conference/join', { roomNumber: waitingRoom.roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' });
          joinToken = answer.body.token as string;
          return answer.status;
        },
        { timeout: 5_000 },
      )
      .toBe(200);
    const deadline = Date.now() + LEASE_SECONDS * 1000 + 3_000;
    for (;;) {
      const seated = await ConferenceParticipant.connect(a.url, joinToken).then(
        (participant) => (open.push(participant), true),
        () => false,
      );
      if (seated) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});
