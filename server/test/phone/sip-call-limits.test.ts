import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { SipCallAdmission } from '@konferenz/sip';
import { OFFER, sipMessage, sleep, UdpClient } from './support/raw-sip';
import { TestGateway } from './support/test-gateway';

/**
 * The call-rate limits on the wire: a caller id over its budget gets 480 with Retry-After before
 * any call is set up (statelessly: a retransmission of that INVITE is refused again, counting
 * against nothing), and a source that rotates From numbers hits its own budget.
 */
group('SIP call-rate limits', () => {
  let gateway: TestGateway;
  let client: UdpClient;

  beforeAll(async () => {
    gateway = await TestGateway.start({ admission: new SipCallAdmission({ perCallerPerMinute: 2, perSourcePerMinute: 3 }) });
    client = await UdpClient.open(gateway.port);
  });
  afterAll(async () => {
    client?.close();
    await gateway?.stop();
  });

  const invite = (from: string, branch?: string) =>
    sipMessage({
      method: 'INVITE',
      port: gateway.port,
      localPort: client.port,
      body: OFFER,
      branch,
      headers: { From: `<sip:${from}@127.0.0.1:${client.port}>;tag=${from.slice(-3)}${Math.random().toString(36).slice(2, 8)}` },
    });
  const finalStatus = async (message: string) => {
    const before = client.received.length;
    client.send(message);
    for (let waited = 0; waited < 3000; waited += 20) {
      const final = client.received.slice(before).find((entry) => (entry.status ?? 0) >= 200);
      if (final) return final;
      await sleep(20);
    }
    throw new Error('no final response');
  };

  it('refuses the third call of one caller id within a minute with 480 and Retry-After, and sets nothing up for it', async () => {
    expect((await finalStatus(invite('+4930999'))).status).toBe(200);
    expect((await finalStatus(invite('+4930999'))).status).toBe(200);
    const refusal = invite('+4930999', 'z9hG4bKratelimited1');
    const refused = await finalStatus(refusal);
    expect(refused.status).toBe(480);
    expect(Number(/^Retry-After: (\d+)/im.exec(refused.text)?.[1])).toBeGreaterThan(50);
    expect(gateway.records).toHaveLength(2);
    expect(gateway.server.statistics.refusedByRate).toBe(1);

    // Refused statelessly: a retransmission is judged again, and refused again without counting against anything.
    const again = await finalStatus(refusal);
    expect(again.status).toBe(480);
    expect(gateway.records).toHaveLength(2);
  });

  it('lets another caller id in, until the source has used its own budget', async () => {
    expect((await finalStatus(invite('+4930888'))).status).toBe(200);
    const refused = await finalStatus(invite('+4930777'));
    expect(refused.status).toBe(480);
    expect(gateway.records).toHaveLength(3);
    for (const record of gateway.records) record.call.hangup();
  });
});
