import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestRedis } from '@konferenz/testing/redis-server';
import { closeApp } from '../src/app-shutdown';
import { freePort } from '../src/embedded/free-port';
import { NodeLinkKey } from '../src/phone/link/node-link-key';
import { PHONE_LINK_NAMESPACE } from '../src/phone/link/phone-link-protocol';
import { PhoneGatewayService } from '../src/phone/phone-gateway.service';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { startClusterNode } from './support/cluster-node';
import { startTestApp, type TestApp } from './support/test-app';
import { dominantFrequency, levelDb, OpusPhone } from './phone/support/opus-phone';

/** The stretch of each caller's received audio the tone is looked for in. */
const ANALYSED_MS = 600;
const LEASE_SECONDS = 2;

/**
 * Calls across nodes, on a real Redis: a call stays on the node that answered it (its SIP leg and
 * RTP), and its caller sits in the conference of whichever node runs the room, over the phone
 * link, with its audio as RTP between the two nodes' plain transports. When the room's node stops,
 * the call stays up and the caller is seated again on the next node; a stopping node takes no
 * new call and keeps its own calls up until they end.
 */
describe('phone calls across nodes', () => {
  let redis: TestRedis;
  let base: TestApp;
  const nodes: TestApp[] = [];
  const phones: OpusPhone[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    const inspector = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    // A Redis that has been up for a while (see room-ownership.test.ts).
    await inspector.set('konferenz:cluster:since', '0');
    inspector.disconnect();
    base = await startTestApp();
  });
  afterEach(async () => {
    for (const phone of phones.splice(0)) phone.close();
    for (const node of nodes.splice(0)) await node.close().catch(() => undefined);
  });
  afterAll(async () => {
    await base?.close();
    await redis?.stop();
  });

  async function node(name: string): Promise<TestApp & { sipPort: number }> {
    const app = await startClusterNode(base, redis.url, name, {
      ROOM_LEASE_SECONDS: String(LEASE_SECONDS),
      SIP_PORT: String(await freePort()),
      SIP_DRAIN_SECONDS: '30',
    });
    nodes.push(app);
    return Object.assign(app, { sipPort: app.app.get(PhoneGatewayService).port! });
  }

  async function dialIn(sipPort: number, caller: string, keys: string, toneHz: number): Promise<OpusPhone> {
    const phone = await OpusPhone.open(sipPort, caller);
    phones.push(phone);
    await phone.call();
    await phone.press(keys);
    phone.toneHz = toneHz;
    return phone;
  }

  /**
   * The caller hears `hz` (the other caller's tone) in what it received lately, and no earlier than
   * `notBefore` (performance.now() time): after a room moved, only what its new bridge sends.
   */
  async function expectHears(phone: OpusPhone, hz: number, notBefore = 0): Promise<void> {
    await vi.waitFor(
      () => {
        const since = performance.now() - ANALYSED_MS;
        expect(since).toBeGreaterThanOrEqual(notBefore);
        const recent = phone.received.filter((packet) => packet.at >= since);
        expect(recent.length).toBeGreaterThan(ANALYSED_MS / 20 - 5);
        const heard = phone.decode(since);
        expect(levelDb(heard)).toBeGreaterThan(-30);
        expect(Math.abs(dominantFrequency(heard) - hz)).toBeLessThanOrEqual(10);
      },
      { timeout: 20_000, interval: 200 },
    );
  }

  it('a caller answered by one node and a caller on the room node hear each other; the room moves at a stop and both still do', async () => {
    const [a, b] = [await node('node-a'), await node('node-b')];
    const { roomNumber } = await customerWithRoom(base);
    // Alice opens the room on node A; Bob's call is answered by node B.
    const alice = await dialIn(a.sipPort, '+4930100', `${roomNumber}#${MODERATOR_PIN}#`, 440);
    await vi.waitFor(() => expect(a.app.get(PhoneGatewayService).server!.calls).toHaveLength(1), { timeout: 10_000 });
    const bob = await dialIn(b.sipPort, '+4930200', `${roomNumber}#${PARTICIPANT_PIN}#`, 1000);
    await expectHears(alice, 1000);
    await expectHears(bob, 440);
    expect(b.app.get(PhoneGatewayService).server!.calls).toHaveLength(1);

    // Node A stops: the room moves to node B; Alice's call stays on A (draining), she is seated on
    // B over the link and Bob there directly, each with a new audio bridge.
    let stopped = false;
    const stopping = closeApp(a.app).then(() => (stopped = true));
    // Node A's room is closed at once (its rooms are freed first): what the callers hear 2 s on comes through B.
    const moved = performance.now() + 2_000;
    await expectHears(alice, 1000, moved);
    await expectHears(bob, 440, moved);
    // A draining node takes no new call: 503, so a proxy in front tries another node.
    const late = await OpusPhone.open(a.sipPort, '+4930300');
    phones.push(late);
    void late.call().catch(() => undefined);
    await vi.waitFor(() => expect(late.sip.received.some((entry) => entry.status === 503)).toBe(true), { timeout: 5_000 });
    // Health checks and load balancers see it going: not ready, sip draining.
    const readiness = await fetch(`${a.url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.text()).toContain('draining');
    // The stop waits for Alice's call; when she hangs up, the node is gone.
    expect(stopped).toBe(false);
    expect(await alice.hangUp()).toBe(200);
    await stopping;
    nodes.splice(nodes.indexOf(a), 1);
    expect(await bob.hangUp()).toBe(200);
  });

  it('the phone link lets in nodes only, and a linked caller acts only as itself', async () => {
    const a = await node('node-a');
    const { roomNumber } = await customerWithRoom(base);
    const answer = await a.client().post('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Browser' });
    const token = answer.body.token as string;
    const link = (auth: Record<string, string>) => io(`${a.url}${PHONE_LINK_NAMESPACE}`, { auth, transports: ['websocket'], reconnection: false });
    const refusal = (auth: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = link(auth);
        socket.on('connect', () => (socket.close(), resolve('connected')));
        socket.on('connect_error', (error) => resolve(error.message));
      });
    // A browser holds a join token, not the nodes' secret.
    expect(await refusal({ token })).toBe('FORBIDDEN');
    expect(await refusal({ token, proof: new NodeLinkKey('another-secret-of-another-cluster-0123').prove(token) })).toBe('FORBIDDEN');
    expect(await refusal({ token: 'forged.token', proof: new NodeLinkKey('integration-test-session-secret-0123456789').prove('forged.token') })).toBe(
      'FORBIDDEN',
    );

    const socket = link({ token, proof: new NodeLinkKey('integration-test-session-secret-0123456789').prove(token) });
    try {
      const ask = (event: string, ...args: unknown[]) =>
        socket.timeout(5_000).emitWithAck(event, ...args) as Promise<{ ok: boolean; error?: { code: string } }>;
      expect(await ask('conference:join')).toEqual({ ok: true, data: null });
      const room = (await ask('media:room')) as { ok: true; data: { generation: number } };
      const { generation } = room.data;
      const codeOf = async (...args: unknown[]) => (await ask('room:call', ...args)).error?.code;
      expect(await codeOf(generation, 'createPlainTransport', ['someone-else', { comedia: true }])).toBe('FORBIDDEN');
      expect(await codeOf(generation, 'setRtpCapabilities', ['phone-mix-not-hex', {}])).toBe('FORBIDDEN');
      expect(await codeOf(generation, 'close', [])).toBe('VALIDATION_FAILED');
      expect(await codeOf(generation, 'produce', ['x', 't', 'video', {}, { source: 'camera' }])).toBe('VALIDATION_FAILED');
      expect(await codeOf(generation, 'consume', 'not a list')).toBe('VALIDATION_FAILED');
      expect(await codeOf(generation + 1, 'closePeer', ['x'])).toBe('MEDIA_FAILED');
      expect(await codeOf(generation, 'setProducerPaused', ['a-producer-of-someone-else', true])).toBe('FORBIDDEN');
      expect((await ask('conference:request', 'moderator:nonsense', {})).error?.code).toBe('VALIDATION_FAILED');
      // Its own requests work as they would for a caller on this node.
      expect(await ask('conference:isLocked')).toEqual({ ok: true, data: false });
    } finally {
      socket.close();
    }
  });
});
