import { afterAll, afterEach, beforeAll, describe as group, expect, it } from 'vitest';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { sleep } from './support/raw-sip';
import { RawCaller, RtpPeer } from './support/raw-caller';

/**
 * Item 6 of the hardening issue, through the whole product: the gateway sends media only to an
 * address that has sent RTP to the call, hangs up a caller that sends nothing for
 * SIP_MEDIA_TIMEOUT_SECONDS, and stops (and hangs up) on ICMP port unreachable.
 */
group('phone media reflection', () => {
  let app: TestApp;
  let sipPort: number;
  const open: Array<{ close(): void }> = [];

  beforeAll(async () => {
    app = await startTestApp({ SIP_PORT: String(await freePort()), SIP_MEDIA_TIMEOUT_SECONDS: '3' });
    sipPort = app.app.get(PhoneGatewayService).port!;
  });
  afterEach(() => {
    for (const socket of open.splice(0)) socket.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function caller(): Promise<RawCaller> {
    const raw = await RawCaller.open(sipPort);
    open.push(raw);
    return raw;
  }
  async function rtpPeer(): Promise<RtpPeer> {
    const peer = await RtpPeer.open();
    open.push(peer);
    return peer;
  }

  it('sends nothing to a silent address named in the SDP, and hangs up when no RTP comes', async () => {
    const victim = await rtpPeer();
    const call = await caller();
    const started = Date.now();
    await call.call(victim.port);
    // The welcome prompt would be playing now; it must not reach an address that never spoke.
    await sleep(2000);
    expect(victim.packets).toBe(0);
    while (call.byeAt === undefined && Date.now() - started < 10_000) await sleep(50);
    expect(call.byeAt, 'BYE after SIP_MEDIA_TIMEOUT_SECONDS').toBeDefined();
    expect(call.byeAt! - started).toBeGreaterThan(2500);
    expect(victim.packets).toBe(0);
  });

  it('plays the prompts to a caller once its first RTP packet arrives, and keeps a caller that sends', async () => {
    const phone = await rtpPeer();
    const call = await caller();
    await call.call(phone.port);
    await sleep(500);
    expect(phone.packets).toBe(0);
    phone.send(call.gatewayRtpPort, 0, 1);
    await sleep(1000);
    // 20 ms frames of the welcome prompt.
    expect(phone.packets).toBeGreaterThan(25);
    // Telephone-events and comfort noise are signs of life too: no BYE while they come.
    for (let sequence = 2; sequence < 12; sequence++) {
      phone.send(call.gatewayRtpPort, sequence % 2 ? 13 : 101, sequence);
      await sleep(400);
    }
    expect(call.byeAt).toBeUndefined();
  });

  it('leaves a call on hold alone however long the caller is silent, and times it out again after the hold', async () => {
    const phone = await rtpPeer();
    const call = await caller();
    await call.call(phone.port);
    phone.send(call.gatewayRtpPort, 0, 1);
    await call.reinvite(phone.port, 'sendonly');
    const heldAt = Date.now();
    await sleep(4500);
    expect(call.byeAt, 'no BYE while on hold').toBeUndefined();
    await call.reinvite(phone.port, 'sendrecv');
    while (call.byeAt === undefined && Date.now() - heldAt < 12_000) await sleep(50);
    expect(call.byeAt, 'silent after the hold: BYE').toBeDefined();
  });

  it("stops and hangs up when the caller's RTP port answers ICMP port unreachable", async () => {
    const phone = await rtpPeer();
    const call = await caller();
    await call.call(phone.port);
    phone.send(call.gatewayRtpPort, 0, 1);
    await sleep(300);
    expect(phone.packets).toBeGreaterThan(0);
    const closedAt = Date.now();
    phone.close();
    while (call.byeAt === undefined && Date.now() - closedAt < 2500) await sleep(20);
    expect(call.byeAt, 'BYE on ICMP unreachable, well before the media timeout').toBeDefined();
  });
});
