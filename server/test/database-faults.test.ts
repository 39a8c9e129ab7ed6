import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResponse } from '@konferenz/shared';
import { registration } from '@konferenz/testing/registration';
import { freePort } from '../src/embedded/free-port';
import { PhoneGatewayService } from '../src/phone/phone-gateway.service';
import type { ApiClient, ApiResponse } from './support/api-client';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { ownDatabase } from './support/own-database';
import { startTestApp, type TestApp } from './support/test-app';
import { RawCaller, RtpPeer } from './phone/support/raw-caller';
import { sleep } from './phone/support/raw-sip';

/** DB_OPERATION_TIMEOUT_MS's default: the longest a request may wait for a stalled database. */
const OPERATION_TIMEOUT_MS = 2_000;

async function timed<T>(work: Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work;
  return { result, ms: Date.now() - started };
}

/** Retries `attempt` until it answers `status`; returns how long that took. */
async function untilAnswers(status: number, attempt: () => Promise<ApiResponse>, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const response = await attempt();
    if (response.status === status) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`still ${response.status} after ${limitMs} ms: ${JSON.stringify(response.body)}`);
    await sleep(200);
  }
}

/**
 * Item 2 of the hardening issue, browser side: with the database stalled (SIGSTOP: the kernel
 * still accepts connections, nothing answers — the hardest case for timeouts) joins, logins and
 * session requests answer a clear 503 within the operation timeout, the app's pages still load,
 * a running conference keeps its media, and everything works again once the database answers.
 */
describe('the database stalls and comes back', () => {
  let own: Awaited<ReturnType<typeof ownDatabase>>;
  let app: TestApp;

  beforeAll(async () => {
    own = await ownDatabase();
    app = await startTestApp({ MONGODB_URI: own.database.uri, SIP_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    await app?.close();
    await own?.close();
  });

  it('answers 503 fast while it is stopped, keeps conferences running, and recovers by itself', async () => {
    const { client: owner, roomNumber } = await customerWithRoom(app);
    const guestForm = registration();
    await app.client().post('/api/accounts', guestForm);
    const join = (client: ApiClient, pin: string, language = 'de') =>
      client.request('POST', '/api/conference/join', { roomNumber, pin, displayName: 'Gast' }, { headers: { 'accept-language': language } });

    // A running conference: a browser moderator and a phone caller who keeps talking.
    const joined: JoinResponse = (await join(app.client(), MODERATOR_PIN)).body;
    const moderator = await ConferenceParticipant.connect(app.url, joined.token);
    const rtp = await RtpPeer.open();
    const call = await RawCaller.open(app.app.get(PhoneGatewayService).port!);
    let sequence = 0;
    const talking = setInterval(() => call.gatewayRtpPort && rtp.send(call.gatewayRtpPort, 0, ++sequence), 20);
    try {
      await call.call(rtp.port);
      await call.key(`${roomNumber}#${PARTICIPANT_PIN}#`);
      await moderator.waitForState((state) => state.participants.some((participant) => participant.via === 'phone'), 15_000);

      process.kill(own.pid, 'SIGSTOP');
      const packetsBefore = rtp.packets;
      const [guest, english, login, session, page] = await Promise.all([
        timed(join(app.client(), PARTICIPANT_PIN)),
        timed(join(app.client(), PARTICIPANT_PIN, 'en')),
        timed(app.client().post('/api/auth/login', { login: guestForm.username, password: guestForm.password })),
        timed(owner.get('/api/account')),
        timed(fetch(app.url)),
      ]);
      for (const { result, ms } of [guest, english, login, session]) {
        expect(result.status).toBe(503);
        expect(result.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(result.headers.get('retry-after')).toBe('5');
        // About one operation timeout (a reply's half plus a queue wait): never a hang, never a wait per operation.
        expect(ms).toBeLessThan(2 * OPERATION_TIMEOUT_MS);
      }
      expect(guest.result.body.message).toContain('vorübergehend nicht erreichbar');
      expect(english.result.body.message).toContain('temporarily unavailable');
      // The app itself still loads and can show the message.
      expect(page.result.status).toBe(200);

      await sleep(2_000);
      // Media went on: the caller kept hearing the room (one packet per 20 ms), nobody was dropped.
      expect(rtp.packets - packetsBefore).toBeGreaterThan(100);
      expect(call.byeAt).toBeUndefined();
      expect(moderator.socket.connected).toBe(true);

      process.kill(own.pid, 'SIGCONT');
      const recovery = await untilAnswers(200, () => join(app.client(), PARTICIPANT_PIN), 15_000);
      expect((await owner.get('/api/account')).status).toBe(200);
      expect((await app.client().post('/api/auth/login', { login: guestForm.username, password: guestForm.password })).status).toBe(200);
      console.info(
        `database stalled: join ${guest.ms} ms, login ${login.ms} ms, session ${session.ms} ms, page ${page.ms} ms; ` +
          `${rtp.packets - packetsBefore} packets to the caller; joins work again ${recovery} ms after SIGCONT`,
      );
    } finally {
      clearInterval(talking);
      process.kill(own.pid, 'SIGCONT');
      moderator.close();
      call.close();
      rtp.close();
    }
  });
});
