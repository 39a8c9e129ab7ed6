import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { customerWithRoom, PARTICIPANT_PIN } from '../support/customer';
import { ownDatabase } from '../support/own-database';
import { startTestApp, type TestApp } from '../support/test-app';
import { captureLogs, type CapturedLogs } from './support/log-capture';
import { recordPrompts } from './support/phone-observation';
import { RawCaller, RtpPeer } from './support/raw-caller';
import { sleep } from './support/raw-sip';

/**
 * Items 2 and 16 of the hardening issue, phone side: with the database stopped (SIGSTOP, a
 * FerretDB of this file's own), a caller who keyed room number and PIN hears "service
 * unavailable, please call again later", goodbye, and gets a BYE, and the failure is logged
 * with the call.
 */
group('phone PIN check while the database is down', () => {
  let own: Awaited<ReturnType<typeof ownDatabase>>;
  let app: TestApp;
  let logs: CapturedLogs;

  beforeAll(async () => {
    own = await ownDatabase();
    app = await startTestApp({ MONGODB_URI: own.database.uri, SIP_PORT: String(await freePort()) });
    logs = captureLogs();
  });
  afterAll(async () => {
    await app?.close();
    await own?.close();
  });

  it('says the service is unavailable, goodbye, and hangs up', async () => {
    const { roomNumber } = await customerWithRoom(app);
    const prompts = recordPrompts();
    const rtp = await RtpPeer.open();
    const call = await RawCaller.open(app.app.get(PhoneGatewayService).port!);
    try {
      await call.call(rtp.port);
      let sequence = 0;
      const keepTalking = setInterval(() => rtp.send(call.gatewayRtpPort, 0, ++sequence), 20);
      process.kill(own.pid, 'SIGSTOP');
      await call.key(`${roomNumber}#${PARTICIPANT_PIN}#`);
      const keyed = Date.now();
      while (call.byeAt === undefined && Date.now() - keyed < 20_000) await sleep(50);
      clearInterval(keepTalking);
      expect(prompts[0]).toContain('de/service-unavailable');
      expect(prompts[0]!.slice(-2)).toEqual(['de/service-unavailable', 'de/goodbye']);
      expect(call.byeAt, 'BYE after the prompt').toBeDefined();
      // Check timeout (4 s) plus the two prompts (about 7 s): no endless silence.
      expect(call.byeAt! - keyed).toBeLessThan(14_000);
      expect(logs.error.some((line) => line.startsWith(`Phone PIN check failed for call ${call.callId} from 127.0.0.1:`))).toBe(true);
    } finally {
      call.close();
      rtp.close();
    }
  });
});
