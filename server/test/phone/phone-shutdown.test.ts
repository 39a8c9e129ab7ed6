import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { ConferenceService } from '../../src/conference/conference.service';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { customerWithRoom, MODERATOR_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { watchPhoneConnections } from './support/phone-observation';
import { RawCaller, RtpPeer } from './support/raw-caller';
import { sleep } from './support/raw-sip';

/** Item 9 of the hardening issue, phone side: stopping the server hangs up its callers at once and does not wait for long timers. */
group('phone callers on server shutdown', () => {
  let app: TestApp;
  let closed = false;

  beforeAll(async () => {
    app = await startTestApp({ SIP_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    if (!closed) await app?.close();
  });

  it('sends every caller a BYE at once and stops within two seconds', async () => {
    const sipPort = app.app.get(PhoneGatewayService).port!;
    const phones = watchPhoneConnections(app.app.get(ConferenceService));
    const { roomNumber } = await customerWithRoom(app);
    const callers: Array<{ call: RawCaller; rtp: RtpPeer; timer: NodeJS.Timeout }> = [];
    // One caller in the conference (the moderator, with its audio bridge), one still in the menu.
    for (const keys of [`${roomNumber}#${MODERATOR_PIN}#`, '']) {
      const rtp = await RtpPeer.open();
      const call = await RawCaller.open(sipPort);
      await call.call(rtp.port, keys ? '+4930111222' : '+4930333444');
      let sequence = 0;
      const timer = setInterval(() => rtp.send(call.gatewayRtpPort, 0, ++sequence), 20);
      if (keys) await call.key(keys);
      callers.push({ call, rtp, timer });
    }
    for (let waited = 0; !phones[0]?.states.some((state) => state.self.state === 'admitted'); waited += 50) {
      if (waited > 15_000) throw new Error('the phone moderator was not admitted');
      await sleep(50);
    }
    await sleep(500);

    const stopping = Date.now();
    await app.close();
    closed = true;
    const stopped = Date.now();
    await sleep(100);
    for (const { call, rtp, timer } of callers) {
      clearInterval(timer);
      expect(call.byeAt, 'BYE on shutdown').toBeDefined();
      expect(call.byeAt! - stopping).toBeLessThan(1000);
      call.close();
      rtp.close();
    }
    expect(stopped - stopping).toBeLessThan(2000);
  });
});
