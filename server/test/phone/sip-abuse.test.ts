import { createServer as createTcpServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe as group, expect, it } from 'vitest';
import { SipCallAdmission } from '@konferenz/sip';
import { captureLogs } from './support/log-capture';
import { OFFER, sipMessage, sleep, statusesIn, TcpClient, UdpClient, type Received } from './support/raw-sip';
import { TestGateway } from './support/test-gateway';

/** What scanners and floods meet: lines per source, no product name, a log line per refusal, scanner drops, TCP limits. */
group('SIP abuse limits', () => {
  const gateways: TestGateway[] = [];
  const clients: Array<{ close(): void }> = [];
  let warnings: string[];

  async function gateway(options: Parameters<typeof TestGateway.start>[0] = {}): Promise<TestGateway> {
    const started = await TestGateway.start(options);
    gateways.push(started);
    warnings = captureLogs().warn;
    return started;
  }
  async function udp(port: number, address = '127.0.0.1'): Promise<UdpClient> {
    const client = await UdpClient.open(port, address);
    clients.push(client);
    return client;
  }
  async function tcp(port: number, address = '127.0.0.1'): Promise<TcpClient> {
    const client = await TcpClient.open(port, address);
    clients.push(client);
    return client;
  }
  async function finalResponse(client: UdpClient, message: string, waitMs = 3000): Promise<Received | undefined> {
    const before = client.received.length;
    client.send(message);
    for (let waited = 0; waited < waitMs; waited += 20) {
      const final = client.received.slice(before).find((entry) => (entry.status ?? 0) >= 200);
      if (final) return final;
      await sleep(20);
    }
    return undefined;
  }
  const invite = (gatewayPort: number, client: UdpClient, from: string, headers: Record<string, string> = {}) =>
    sipMessage({
      method: 'INVITE',
      port: gatewayPort,
      localPort: client.port,
      body: OFFER,
      headers: { From: `<sip:${from}@127.0.0.1>;tag=${Math.random().toString(36).slice(2, 10)}`, ...headers },
    });

  beforeAll(() => {
    warnings = captureLogs().warn;
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const started of gateways.splice(0)) await started.stop();
  });
  afterAll(() => undefined);

  it('holds one source to its share of the lines: another source and a trusted trunk still get in', async () => {
    const gw = await gateway({ maxCalls: 8, maxCallsPerSource: 3, trustedTrunks: ['127.0.0.3/32'] });
    const flooder = await udp(gw.port, '127.0.0.1');
    const statuses: number[] = [];
    for (let call = 0; call < 6; call++) statuses.push((await finalResponse(flooder, invite(gw.port, flooder, `+4930100${call}`)))?.status ?? 0);
    expect(statuses).toEqual([200, 200, 200, 480, 480, 480]);
    expect(gw.records).toHaveLength(3);
    expect(warnings.filter((line) => line.startsWith('SIP refused source-busy from 127.0.0.1:'))).toHaveLength(3);

    const other = await udp(gw.port, '127.0.0.2');
    expect((await finalResponse(other, invite(gw.port, other, '+4940200')))?.status).toBe(200);

    const trunk = await udp(gw.port, '127.0.0.3');
    const trunkStatuses: number[] = [];
    for (let call = 0; call < 4; call++) trunkStatuses.push((await finalResponse(trunk, invite(gw.port, trunk, `+4989300${call}`)))?.status ?? 0);
    expect(trunkStatuses).toEqual([200, 200, 200, 200]);
    // The whole server is full now (8): even the trunk gets 503.
    expect((await finalResponse(trunk, invite(gw.port, trunk, '+49893009')))?.status).toBe(503);

    // A line that ends is free for the source again (the call was never ACKed: end it as a stop does).
    gw.records[0]!.call.shutdown();
    await gw.until(() => gw.records[0]!.ended !== undefined);
    await sleep(50);
    expect((await finalResponse(flooder, invite(gw.port, flooder, '+49301009')))?.status).toBe(200);
  });

  it('refuses a flood of INVITEs statelessly, and holds each source to its share of the transactions', async () => {
    const gw = await gateway({ maxCalls: 10, maxCallsPerSource: 2, maxTransactions: 30, maxTransactionsPerSource: 10 });
    const flooder = await udp(gw.port, '127.0.0.1');
    for (let call = 0; call < 40; call++) flooder.send(invite(gw.port, flooder, `+4930200${call}`));
    await sleep(500);
    // The 38 refusals left no transactions behind: the flooder's OPTIONS are still answered.
    const before = flooder.received.length;
    await flooder.exchange(sipMessage({ port: gw.port, localPort: flooder.port }));
    expect(
      flooder.received
        .slice(before)
        .filter((entry) => / OPTIONS\r?$/m.test(entry.text))
        .map((entry) => entry.status),
    ).toEqual([200]);
    expect(warnings.filter((line) => line.startsWith('SIP refused source-busy from 127.0.0.1:')).length).toBeGreaterThan(5);

    // OPTIONS live 32 s as transactions: beyond its share, the flooder gets 503, the others do not.
    const probes = flooder.received.length;
    for (let probe = 0; probe < 20; probe++) flooder.send(sipMessage({ port: gw.port, localPort: flooder.port }));
    await sleep(300);
    const answers = flooder.received
      .slice(probes)
      .filter((entry) => / OPTIONS\r?$/m.test(entry.text))
      .map((entry) => entry.status);
    // Its share is 10: two calls and the first OPTIONS hold 3, so 7 more are answered, 13 refused.
    expect(answers.filter((status) => status === 200)).toHaveLength(7);
    expect(answers.filter((status) => status === 503)).toHaveLength(13);
    const other = await udp(gw.port, '127.0.0.2');
    expect((await finalResponse(other, invite(gw.port, other, '+4940300')))?.status).toBe(200);
  });

  it("counts a trusted trunk's calls by the asserted identity, and nobody else's", async () => {
    const gw = await gateway({ trustedTrunks: ['127.0.0.3'], admission: new SipCallAdmission({ perCallerPerMinute: 1, perSourcePerMinute: 100 }) });
    const trunk = await udp(gw.port, '127.0.0.3');
    const asserted = (number: string) => ({ 'P-Asserted-Identity': `"Kunde" <sip:${number}@trunk.example>, <tel:${number}>` });
    // Same From for everyone behind the trunk, different asserted callers: each its own budget.
    expect((await finalResponse(trunk, invite(gw.port, trunk, 'trunk', asserted('+4930111'))))?.status).toBe(200);
    expect((await finalResponse(trunk, invite(gw.port, trunk, 'trunk', asserted('+4930222'))))?.status).toBe(200);
    expect((await finalResponse(trunk, invite(gw.port, trunk, 'trunk', asserted('+4930111'))))?.status).toBe(480);
    expect(gw.records.map((record) => record.call.origin)).toEqual([
      { trustedTrunk: true, user: '+4930111', withheld: false },
      { trustedTrunk: true, user: '+4930222', withheld: false },
    ]);
    // Anyone else's P-Asserted-Identity is ignored: From counts.
    const stranger = await udp(gw.port, '127.0.0.4');
    expect((await finalResponse(stranger, invite(gw.port, stranger, '+4930333', asserted('+4930444'))))?.status).toBe(200);
    expect(gw.records[2]!.call.origin).toEqual({ trustedTrunk: false, user: '+4930333', withheld: false });
    // An anonymous From with the caller behind P-Asserted-Identity and Privacy: id (RFC 3325): counted by
    // the asserted number, never shown; a tel: From is read as its number.
    const privateCall = invite(gw.port, trunk, 'anonymous', { ...asserted('+4930555'), Privacy: 'id' });
    expect((await finalResponse(trunk, privateCall))?.status).toBe(200);
    expect(gw.records[3]!.call.origin).toEqual({ trustedTrunk: true, user: '+4930555', withheld: true });
  });

  it('logs every refusal in one fail2ban line, drops scanners unanswered, and does not name the product', async () => {
    const gw = await gateway({ admission: new SipCallAdmission({ perCallerPerMinute: 1, perSourcePerMinute: 100 }) });
    const client = await udp(gw.port);

    const scan = sipMessage({ port: gw.port, localPort: client.port, headers: { 'User-Agent': 'friendly-scanner' } });
    expect(await client.exchange(scan, 300)).toEqual([]);
    expect(warnings).toContain(`SIP refused scanner from 127.0.0.1:${client.port} method=OPTIONS user-agent="friendly-scanner"`);

    const register = sipMessage({ method: 'REGISTER', port: gw.port, localPort: client.port, headers: { 'User-Agent': 'evil "x"\\ agent' } });
    expect(await client.exchange(register)).toEqual([405]);
    expect(warnings).toContain(`SIP refused method-not-allowed from 127.0.0.1:${client.port} method=REGISTER user-agent="evil ?x?? agent"`);

    expect((await finalResponse(client, invite(gw.port, client, '+4930555')))?.status).toBe(200);
    const refused = await finalResponse(client, invite(gw.port, client, '+4930555'));
    expect(refused?.status).toBe(480);
    expect(warnings.some((line) => line.startsWith(`SIP refused rate-limited-caller from 127.0.0.1:${client.port} method=INVITE`))).toBe(true);

    // Nothing the gateway sent names the product; the Server header is the generic default.
    const everything = client.received.map((entry) => entry.text).join('\n');
    expect(everything).not.toMatch(/konferenz/i);
    expect(everything).toMatch(/^Server: SIP Gateway\r?$/m);
  });

  it('answers scanners when told not to drop them, and advertises the configured name (or none)', async () => {
    const named = await gateway({ dropScanners: false, serverName: 'PBX' });
    const client = await udp(named.port);
    const [answer] = await Promise.all([
      finalResponse(client, sipMessage({ port: named.port, localPort: client.port, headers: { 'User-Agent': 'sipvicious' } })),
    ]);
    expect(answer?.status).toBe(200);
    expect(answer?.text).toMatch(/^Server: PBX\r?$/m);

    const anonymous = await gateway({ serverName: '' });
    const other = await udp(anonymous.port);
    const plain = await finalResponse(other, sipMessage({ port: anonymous.port, localPort: other.port }));
    expect(plain?.status).toBe(200);
    expect(plain?.text).not.toMatch(/^Server:/im);
  });

  it('over TCP: caps connections per source, closes idle ones without a call, keeps one with a call', async () => {
    const gw = await gateway({ tcpConnectionsPerAddress: 3, tcpIdleTimeoutMs: 600 });
    const first = await Promise.all([1, 2, 3].map(() => tcp(gw.port)));
    const fourth = await tcp(gw.port);
    expect(await fourth.until(() => fourth.closed, 1000)).toBe(true);
    expect(first.every((connection) => !connection.closed)).toBe(true);
    expect(warnings.some((line) => /^SIP refused tcp-connection-limit from 127\.0\.0\.1:\d+ method=- user-agent=""$/.test(line))).toBe(true);
    // Another source is not locked out.
    const other = await tcp(gw.port, '127.0.0.2');
    other.write(sipMessage({ port: gw.port, localPort: other.localPort, transport: 'TCP' }));
    expect(await other.until(() => statusesIn(other.text).includes(200))).toBe(true);

    // A call over TCP keeps its connection open past the idle timeout; the idle ones are closed.
    const caller = first[0]!;
    caller.write(sipMessage({ method: 'INVITE', port: gw.port, localPort: caller.localPort, transport: 'TCP', body: OFFER }));
    expect(await caller.until(() => statusesIn(caller.text).includes(200))).toBe(true);
    expect(await first[1]!.until(() => first[1]!.closed && first[2]!.closed, 3000)).toBe(true);
    await sleep(1200);
    expect(caller.closed).toBe(false);
    gw.records[0]!.call.hangup();
  });

  it('over TCP: answers over the connection the request came on, never to the Via address', async () => {
    const gw = await gateway();
    // Something listens where the Via points, over TCP and UDP: it must hear nothing.
    const decoyTcp = createTcpServer();
    let decoyConnections = 0;
    decoyTcp.on('connection', (socket) => {
      decoyConnections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => decoyTcp.listen(0, '127.0.0.1', resolve));
    const decoyPort = (decoyTcp.address() as { port: number }).port;
    const decoyUdp = await UdpClient.open(gw.port);
    try {
      const connection = await tcp(gw.port);
      connection.write(sipMessage({ port: gw.port, localPort: decoyPort, transport: 'TCP' }));
      connection.write(sipMessage({ method: 'REGISTER', port: gw.port, localPort: decoyUdp.port, transport: 'TCP' }));
      expect(await connection.until(() => statusesIn(connection.text).length === 2)).toBe(true);
      expect(statusesIn(connection.text)).toEqual([200, 405]);
      await sleep(200);
      expect(decoyConnections).toBe(0);
      expect(decoyUdp.received).toEqual([]);
    } finally {
      decoyUdp.close();
      decoyTcp.close();
    }
  });
});
