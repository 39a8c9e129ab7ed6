import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { describe, requireSipp, runSipp } from './support/sipp';
import { TestGateway, type CallRecord } from './support/test-gateway';

/** Call flows against the gateway's SIP user agent server, driven by sipp over UDP and TCP on 127.0.0.1. */
group('SIP user agent server with sipp', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    requireSipp();
    gateway = await TestGateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  async function endedCall(service: string): Promise<CallRecord> {
    await gateway.until(() => gateway.records.some((entry) => entry.call.requestUri.startsWith(`sip:${service}@`) && entry.ended));
    return gateway.records.find((entry) => entry.call.requestUri.startsWith(`sip:${service}@`))!;
  }

  it('answers a call over UDP: INVITE, 100/180/200, ACK, BYE after a second', async () => {
    const started = Date.now();
    const run = await runSipp({ scenario: 'call.xml', port: gateway.port, service: 'call-udp' });
    expect(run.code, describe(run)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const record = await endedCall('call-udp');
    expect(record.confirmed).toBe(true);
    expect(record.ended).toBe('remote-bye');
    expect(record.call.from).toMatchObject({ displayName: 'SIPp Caller', user: '+4930123456' });
    expect(record.rtp?.media).toMatchObject({ codec: 'PCMU', telephoneEventPayloadType: 101, remotePort: 6000 });
  });

  it('answers the same call over TCP', async () => {
    const run = await runSipp({ scenario: 'call.xml', port: gateway.port, service: 'call-tcp', transport: 'tcp' });
    expect(run.code, describe(run)).toBe(0);
    const record = await endedCall('call-tcp');
    expect(record.call.remote.transport).toBe('TCP');
    expect(record.ended).toBe('remote-bye');
  });

  it("passes sipp's built-in uac scenario", async () => {
    const run = await runSipp({ scenario: 'builtin:uac', port: gateway.port, service: 'builtin', args: ['-d', '500'] });
    expect(run.code, describe(run)).toBe(0);
    expect((await endedCall('builtin')).ended).toBe('remote-bye');
  });

  it('offers SDP in the 200 when the INVITE has none, and takes the answer from the ACK', async () => {
    const run = await runSipp({ scenario: 'call-without-sdp.xml', port: gateway.port, service: 'late-offer' });
    expect(run.code, describe(run)).toBe(0);
    const record = await endedCall('late-offer');
    expect(record.call.offer).toBeNull();
    expect(record.rtp?.media.codec).toBe('PCMA');
  });

  it('puts the call on hold and back by re-INVITE', async () => {
    const run = await runSipp({ scenario: 'hold.xml', port: gateway.port, service: 'hold' });
    expect(run.code, describe(run)).toBe(0);
    const record = await endedCall('hold');
    expect(record.reoffers).toEqual([{ hold: true }, { hold: false }]);
  });

  it('requires session refreshes from a caller that offers session timers', async () => {
    const run = await runSipp({ scenario: 'session-timer.xml', port: gateway.port, service: 'timer' });
    expect(run.code, describe(run)).toBe(0);
    expect((await endedCall('timer')).call.sessionTimer).toEqual({ interval: 120 });
  });

  it('refuses a session interval below 90 s with 422 and Min-SE', async () => {
    const run = await runSipp({ scenario: 'session-timer-too-small.xml', port: gateway.port, service: 'short-timer' });
    expect(run.code, describe(run)).toBe(0);
  });

  it('passes a rejection through: 486, then the ACK', async () => {
    const run = await runSipp({ scenario: 'busy.xml', port: gateway.port, service: 'busy' });
    expect(run.code, describe(run)).toBe(0);
    expect((await endedCall('busy')).ended).toBe('rejected');
  });

  it('fails a sipp run whose expectations are not met (the harness can see failures)', async () => {
    // busy.xml expects 486; an ordinary call is answered 200, so sipp must report the call failed.
    const run = await runSipp({ scenario: 'busy.xml', port: gateway.port, service: 'not-busy', timeoutSeconds: 5 });
    expect(run.code).not.toBe(0);
  });

  it('answers OPTIONS with 200 and the allowed methods', async () => {
    const udp = await runSipp({ scenario: 'options.xml', port: gateway.port });
    expect(udp.code, describe(udp)).toBe(0);
    const tcp = await runSipp({ scenario: 'options.xml', port: gateway.port, transport: 'tcp' });
    expect(tcp.code, describe(tcp)).toBe(0);
  });

  it('ends a ringing call on CANCEL: 200 for the CANCEL, 487 for the INVITE', async () => {
    const run = await runSipp({ scenario: 'cancel.xml', port: gateway.port, service: 'ring' });
    expect(run.code, describe(run)).toBe(0);
    expect((await endedCall('ring')).ended).toBe('cancelled');
  });

  it('delivers DTMF sent by SIP INFO (dtmf-relay and dtmf) as digits, and refuses other INFO bodies', async () => {
    const run = await runSipp({ scenario: 'info-dtmf.xml', port: gateway.port, service: 'info-dtmf' });
    expect(run.code, describe(run)).toBe(0);
    expect((await endedCall('info-dtmf')).digits).toEqual(['4', '7', '#']);
  });

  it('delivers DTMF sent as RFC 4733 telephone-events over RTP, once per key press', async () => {
    const run = await runSipp({ scenario: 'rtp-dtmf.xml', port: gateway.port, service: 'rtp-dtmf' });
    expect(run.code, describe(run)).toBe(0);
    const record = await endedCall('rtp-dtmf');
    expect(record.rtpDigits).toEqual(['1']);
  });
});
