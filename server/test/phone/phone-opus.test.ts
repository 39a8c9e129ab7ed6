import { decodeG711 } from '@konferenz/sfu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConferenceService } from '../../src/conference/conference.service';
import { freePort } from '../../src/embedded/free-port';
import type { PromptKey } from '../../src/phone/ivr-state-machine';
import { PromptLibrary } from '../../src/phone/prompt-library';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { customerWithRoom, MODERATOR_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { dominantFrequency, levelDb, OpusPhone } from './support/opus-phone';
import { recordPrompts, watchPhoneConnections, type PhoneConnection } from './support/phone-observation';

/** How much of the welcome the callers listen to before keying over it. */
const WELCOME_MS = 1500;
/** The stretch of each caller's received audio the tone is looked for in. */
const ANALYSED_MS = 600;

/**
 * Two Opus softphones dial the whole app: the gateway answers Opus (not the PCMU offered first) on
 * RTP ports of SIP_RTP_PORTS, greets them in Opus, reads their keys as 48 kHz telephone-events,
 * seats both (moderator PIN, no browser needed), and the room's mix carries each caller's tone to
 * the other.
 */
describe('phone dial-in with Opus (hand-written Opus softphones against the whole app)', () => {
  let app: TestApp;
  let sipPort: number;
  let phones: PhoneConnection[];
  let prompts: PromptKey[][];
  const open: OpusPhone[] = [];

  beforeAll(async () => {
    // The callers' RTP ports from a range, as a deployment behind a firewall has them.
    app = await startTestApp({ SIP_PORT: String(await freePort()), SIP_RTP_PORTS: '47200-47299' });
    sipPort = app.app.get(PhoneGatewayService).port!;
    phones = watchPhoneConnections(app.app.get(ConferenceService));
    prompts = recordPrompts();
  });
  afterAll(async () => {
    for (const phone of open) phone.close();
    vi.restoreAllMocks();
    await app?.close();
  });

  it('answers Opus, greets in Opus, takes 48 kHz keys, and carries audio both ways between two Opus callers', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const [alice, bob] = await Promise.all([OpusPhone.open(sipPort, '+4930100'), OpusPhone.open(sipPort, '+4930200')]);
    open.push(alice, bob);
    await Promise.all([alice.call(), bob.call()]);

    for (const phone of [alice, bob]) {
      expect(phone.answer).toMatch(/^m=audio \d+ RTP\/AVP 96 102\r$/m);
      const rtpPort = Number(/^m=audio (\d+)/m.exec(phone.answer)![1]);
      expect(rtpPort % 2 === 0 && rtpPort >= 47200 && rtpPort <= 47299).toBe(true);
      expect(phone.answer).toContain('a=rtpmap:96 opus/48000/2');
      expect(phone.answer).toContain('a=rtpmap:102 telephone-event/48000');
    }

    // The welcome, as an Opus phone hears it: 20 ms Opus frames on the 48 kHz clock, as loud as the recording.
    await new Promise((resolve) => setTimeout(resolve, WELCOME_MS));
    const welcome = alice.received;
    expect(welcome.length).toBeGreaterThan(50);
    expect(welcome.every((packet) => packet.payloadType === 96)).toBe(true);
    expect(welcome.slice(1).every((packet, i) => (packet.timestamp - welcome[i]!.timestamp) >>> 0 === 960)).toBe(true);
    const heard = alice.decode();
    const recorded = [...decodeG711('mulaw', new PromptLibrary().get('de/welcome').subarray(0, welcome.length * 160))];
    expect(levelDb(heard)).toBeGreaterThan(-40);
    expect(Math.abs(levelDb(heard) - levelDb(recorded))).toBeLessThan(3);

    await Promise.all([alice.press(`${roomNumber}#${MODERATOR_PIN}#`), bob.press(`${roomNumber}#${MODERATOR_PIN}#`)]);
    // Both seated with their bridges' producers in the room.
    await vi.waitFor(
      () => {
        const seated = phones.filter((phone) => phone.claims.room === roomNumber);
        expect(seated).toHaveLength(2);
        for (const phone of seated) expect(phone.states.at(-1)?.self).toMatchObject({ state: 'admitted', microphone: 'on' });
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(prompts).toHaveLength(2);
    for (const said of prompts) expect(said.slice(0, 3)).toEqual(['de/welcome', 'de/enter-room-number', 'de/enter-pin']);

    alice.toneHz = 440;
    bob.toneHz = 1000;
    // Once the prompts are over, each hears the other: prompts and the room's mix on the call's one stream (one SSRC).
    await vi.waitFor(
      () => {
        const since = performance.now() - ANALYSED_MS;
        const [heardByAlice, heardByBob] = [alice.decode(since), bob.decode(since)];
        expect(heardByAlice.length).toBeGreaterThan((ANALYSED_MS / 20 - 5) * 960);
        expect(Math.abs(dominantFrequency(heardByAlice) - 1000)).toBeLessThanOrEqual(10);
        expect(Math.abs(dominantFrequency(heardByBob) - 440)).toBeLessThanOrEqual(10);
        // All of the window past the prompts (a prompt's tail or the mix's onset would lower its level).
        expect(levelDb(heardByAlice)).toBeGreaterThan(-30);
        expect(levelDb(heardByBob)).toBeGreaterThan(-30);
      },
      { timeout: 20_000, interval: 200 },
    );
    for (const phone of [alice, bob]) expect(new Set(phone.received.map((packet) => packet.ssrc)).size).toBe(1);

    expect(await alice.hangUp()).toBe(200);
    expect(await bob.hangUp()).toBe(200);
  });

  it('answers Opus offered with telephone-event only at 8 kHz with those events, and takes the keys', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const carol = await OpusPhone.open(sipPort, '+4930300', { eventClock: 8000 });
    open.push(carol);
    await carol.call();
    expect(carol.answer).toMatch(/^m=audio \d+ RTP\/AVP 96 102\r$/m);
    expect(carol.answer).toContain('a=rtpmap:102 telephone-event/8000');
    await carol.press(`${roomNumber}#${MODERATOR_PIN}#`);
    await vi.waitFor(
      () => {
        const seated = phones.find((phone) => phone.claims.room === roomNumber);
        expect(seated?.states.at(-1)?.self).toMatchObject({ state: 'admitted' });
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(await carol.hangUp()).toBe(200);
  });
});
