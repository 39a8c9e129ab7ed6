import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { describe, requireSipp, runSipp } from './support/sipp';
import { OFFER, sipMessage, sleep, statusesIn, tcpExchange, UdpClient } from './support/raw-sip';
import { TestGateway } from './support/test-gateway';

/**
 * What the gateway does with messages no good client sends (RFC 4475 in spirit): a 400 (or 505,
 * 513) when the request can be answered, silence when it cannot, and never a crash; plus the
 * RFC 3261 retransmission rules over UDP, measured on the wire.
 */
group('SIP user agent server under malformed input', () => {
  let gateway: TestGateway;
  let client: UdpClient;

  beforeAll(async () => {
    requireSipp();
    gateway = await TestGateway.start();
    client = await UdpClient.open(gateway.port);
  });
  afterAll(async () => {
    client?.close();
    await gateway?.stop();
  });

  // Each case gets its own socket: final responses to INVITEs are retransmitted (correctly) and must not leak into the next case.
  let caseClient: UdpClient;
  const message = (options: Omit<Parameters<typeof sipMessage>[0], 'port' | 'localPort'> = {}) =>
    sipMessage({ port: gateway.port, localPort: caseClient.port, ...options });

  const NONE: number[] = [];
  const cases: Array<[name: string, build: () => string | Buffer, expected: number[] | 'none-or-400']> = [
    ['random bytes', () => randomBytes(600), NONE],
    ['text that is not SIP', () => 'Hello there\r\n\r\n', NONE],
    ['a request without the end of its headers', () => message().replace('\r\n\r\n', '\r\n'), NONE],
    ['no Via', () => message({ headers: { Via: null } }), NONE],
    ['a Via without a branch', () => message({ headers: { Via: `SIP/2.0/UDP 127.0.0.1:${caseClient.port}` } }), 'none-or-400'],
    ['Content-Length beyond the body', () => message({ headers: { 'Content-Length': '500' } }), [400]],
    ['a Content-Length beyond any acceptable body', () => message({ headers: { 'Content-Length': '99999' } }), [513]],
    ['a negative Content-Length', () => message({ headers: { 'Content-Length': '-5' } }), [400]],
    ['a hexadecimal Content-Length', () => message({ headers: { 'Content-Length': '0x10' } }), [400]],
    ['two different Content-Lengths', () => message().replace('Content-Length: 0', 'Content-Length: 0\r\nl: 4'), [400]],
    ['a header line without a colon', () => message().replace('Max-Forwards: 70', 'Max-Forwards 70'), [400]],
    ['a header name with spaces', () => message({ headers: { 'Bad Header': 'x' } }), [400]],
    ['a NUL byte in a header', () => message({ headers: { Subject: 'a\u0000b' } }), [400]],
    ['a huge header line (3 KB)', () => message({ headers: { 'X-Huge': 'a'.repeat(3000) } }), [400]],
    [
      'a huge header section (9 KB in many headers)',
      () => message({ headers: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`X-Fill-${i}`, 'b'.repeat(1000)])) }),
      [513],
    ],
    ['a 20 KB message', () => message({ headers: { 'Content-Type': 'text/plain', 'Content-Length': '20000' }, body: 'c'.repeat(20000) }), [513]],
    ['too many headers', () => message({ headers: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`X-H${i}`, '1'])) }), [400]],
    ['two different Call-IDs', () => message().replace('CSeq:', 'Call-ID: other@127.0.0.1\r\nCSeq:'), [400]],
    ['a CSeq method that is not the request method', () => message({ headers: { CSeq: '1 BYE' } }), [400]],
    ['a CSeq number that is not a number', () => message({ headers: { CSeq: 'one OPTIONS' } }), 'none-or-400'],
    ['a From without a tag', () => message({ headers: { From: '<sip:tester@127.0.0.1>' } }), [400]],
    ['SIP version 7.0', () => message({ startLine: `OPTIONS sip:conference@127.0.0.1:${gateway.port} SIP/7.0` }), [505]],
    ['two spaces in the request line', () => message({ startLine: `OPTIONS  sip:conference@127.0.0.1 SIP/2.0` }), [400]],
    ['a request URI that is not a SIP URI', () => message({ startLine: 'OPTIONS http://example.invalid/ SIP/2.0' }), [400]],
    ['a Request-URI of 2 KB', () => message({ startLine: `OPTIONS sip:${'d'.repeat(2000)}@127.0.0.1 SIP/2.0` }), [400]],
    ['an unparseable From', () => message({ headers: { From: '"unterminated <sip:x@y>;tag=1' } }), 'none-or-400'],
    ['Max-Forwards 0', () => message({ method: 'INFO', headers: { 'Max-Forwards': '0' } }), [483]],
    ['Max-Forwards 300', () => message({ headers: { 'Max-Forwards': '300' } }), [400]],
    ['an unknown method', () => message({ method: 'FROBNICATE' }), [501]],
    ['REGISTER (the gateway is no registrar)', () => message({ method: 'REGISTER' }), [405]],
    ['REFER outside a call (no transfers)', () => message({ method: 'REFER' }), [405]],
    ['MESSAGE', () => message({ method: 'MESSAGE' }), [405]],
    ['Require: 100rel', () => message({ headers: { Require: '100rel' } }), [420]],
    ['BYE for a call that does not exist', () => message({ method: 'BYE', headers: { To: `<sip:conference@127.0.0.1>;tag=nope` } }), [481]],
    ['INFO outside a call', () => message({ method: 'INFO' }), [481]],
    ['CANCEL for nothing', () => message({ method: 'CANCEL' }), [481]],
    ['INVITE with malformed SDP', () => message({ method: 'INVITE', body: 'v=0\r\nthis is not sdp\r\n' }), [400]],
    ['INVITE with a body that is not SDP', () => message({ method: 'INVITE', body: OFFER, headers: { 'Content-Type': 'application/isup' } }), [415]],
    ['INVITE without Contact', () => message({ method: 'INVITE', body: OFFER, headers: { Contact: null } }), [400]],
    ['INVITE with only video', () => message({ method: 'INVITE', user: 'video', body: OFFER.replace('m=audio', 'm=video') }), [100, 180, 488]],
    [
      'a response to nothing',
      () =>
        `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n`,
      NONE,
    ],
    ['an ACK that matches nothing', () => message({ method: 'ACK' }), NONE],
    ['a keep-alive', () => '\r\n\r\n', NONE],
  ];

  it.each(cases)('handles %s', async (_name, build, expected) => {
    caseClient = await UdpClient.open(gateway.port);
    const statuses = await caseClient.exchange(build());
    caseClient.close();
    if (expected === 'none-or-400') expect([[], [400]]).toContainEqual(statuses);
    else expect(statuses).toEqual(expected);
  });

  it('says why it refuses an offer it cannot take: 488 with Warning 305', async () => {
    caseClient = await UdpClient.open(gateway.port);
    await caseClient.exchange(message({ method: 'INVITE', user: 'video-only', body: OFFER.replace('m=audio', 'm=video') }));
    const refusal = caseClient.received.find((entry) => entry.status === 488);
    caseClient.close();
    expect(refusal?.text).toMatch(/^Warning: 305 \S+ "Incompatible media format"\r?$/m);
  });

  it('accepts unusual but valid requests: compact header names, folded lines, odd spacing', async () => {
    client.received.length = 0;
    const valid = [
      `OPTIONS sip:conference@127.0.0.1:${gateway.port} SIP/2.0`,
      `v:  SIP/2.0/UDP 127.0.0.1:${client.port} ;branch=z9hG4bKcompact1`,
      'f: <sip:tester@127.0.0.1>;tag=abc',
      't: sip:conference@127.0.0.1',
      'i: compact-1@127.0.0.1',
      'CSeq:   8',
      '   OPTIONS',
      'Subject: a folded',
      '\t header value',
      'l: 0',
      '',
      '',
    ].join('\r\n');
    expect(await client.exchange(valid)).toEqual([200]);
  });

  it('survives a burst of mutated INVITEs and OPTIONS', async () => {
    caseClient = client;
    const base = message({ method: 'INVITE', user: 'fuzz', body: OFFER });
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(base, 'latin1');
      const mutations = 1 + (i % 8);
      for (let m = 0; m < mutations; m++) bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256);
      client.send(i % 5 === 0 ? bytes.subarray(0, Math.floor(Math.random() * bytes.length)) : bytes);
    }
    await sleep(300);
    caseClient = await UdpClient.open(gateway.port);
    expect(await caseClient.exchange(message(), 300)).toEqual([200]);
    caseClient.close();
  });

  it('answers malformed requests over TCP too, and closes a connection it cannot frame', async () => {
    const local = { port: gateway.port, localPort: 5999, transport: 'TCP' as const };
    const ok = await tcpExchange(gateway.port, sipMessage(local));
    expect(statusesIn(ok.text)).toEqual([200]);
    const twoInOne = await tcpExchange(gateway.port, sipMessage(local) + sipMessage({ ...local, method: 'FOO' }));
    expect(statusesIn(twoInOne.text)).toEqual([200, 501]);
    const noLength = await tcpExchange(gateway.port, sipMessage({ ...local, headers: { 'Content-Length': null } }));
    expect(statusesIn(noLength.text)).toEqual([400]);
    expect(noLength.closed).toBe(true);
    const endless = await tcpExchange(gateway.port, Buffer.alloc(10_000, 'a'));
    expect(endless).toEqual({ text: '', closed: true });
    const split = await tcpExchange(gateway.port, `\r\n\r\n${sipMessage(local)}`);
    expect(split.text).toBe(`\r\n${split.text.slice(2)}`);
    expect(statusesIn(split.text)).toEqual([200]);
  });

  it('still answers calls after all of that', async () => {
    const run = await runSipp({ scenario: 'call.xml', port: gateway.port, service: 'after-torture', args: ['-d', '200'] });
    expect(run.code, describe(run)).toBe(0);
  });
});

group('SIP retransmissions over UDP (RFC 3261 §13.3.1.4, §17.2.1)', () => {
  let gateway: TestGateway;
  let client: UdpClient;

  beforeAll(async () => {
    gateway = await TestGateway.start();
    client = await UdpClient.open(gateway.port);
  });
  afterAll(async () => {
    client?.close();
    await gateway?.stop();
  });

  it('retransmits the 200 OK at T1, 2·T1 … until the ACK, and answers a retransmitted INVITE without a second call', async () => {
    const invite = sipMessage({ method: 'INVITE', user: 'retransmit', port: gateway.port, localPort: client.port, body: OFFER });
    client.send(invite);
    await sleep(100);
    client.send(invite); // the caller's own retransmission
    await gateway.until(() => client.received.filter((entry) => entry.status === 200).length >= 3, 5000);
    const oks = client.received.filter((entry) => entry.status === 200);
    const gaps = oks.slice(1).map((entry, i) => entry.at - oks[i]!.at);
    expect(gaps[0]).toBeGreaterThan(350);
    expect(gaps[0]).toBeLessThan(700);
    expect(gaps[1]).toBeGreaterThan(850);
    expect(gaps[1]).toBeLessThan(1300);
    expect(gateway.records.filter((entry) => entry.call.requestUri.startsWith('sip:retransmit@'))).toHaveLength(1);

    const ok = oks[0]!.text;
    const toTag = /^To:.*;tag=([^;\r\n]+)/m.exec(ok)![1];
    const via = /^Via: (.*)$/m.exec(invite)![1]!.replace(/branch=[^;]+/, 'branch=z9hG4bKack1');
    const ack = invite
      .replace(/^INVITE /, 'ACK ')
      .replace(/^Via: .*$/m, `Via: ${via}`)
      .replace(/^To: (.*)$/m, `To: $1;tag=${toTag}`)
      .replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
      .replace(/Content-Type: .*\r\n/, '')
      .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n');
    client.send(ack);
    const record = gateway.records.find((entry) => entry.call.requestUri.startsWith('sip:retransmit@'))!;
    await gateway.until(() => record.confirmed);
    const count = client.received.filter((entry) => entry.status === 200).length;
    await sleep(2500);
    expect(client.received.filter((entry) => entry.status === 200).length).toBe(count);
    record.call.hangup();
    await gateway.until(() => client.received.some((entry) => entry.text.startsWith('BYE ')));
  });

  it('retransmits a final error response until the ACK, then stops', async () => {
    const branch = 'z9hG4bKbusy1';
    const invite = sipMessage({ method: 'INVITE', user: 'busy', port: gateway.port, localPort: client.port, body: OFFER, branch });
    const before = client.received.length;
    client.send(invite);
    await gateway.until(() => client.received.slice(before).filter((entry) => entry.status === 486).length >= 2, 3000);
    const busy = client.received.slice(before).find((entry) => entry.status === 486)!.text;
    const toTag = /^To:.*;tag=([^;\r\n]+)/m.exec(busy)![1];
    client.send(
      invite
        .replace(/^INVITE /, 'ACK ')
        .replace(/^To: (.*)$/m, `To: $1;tag=${toTag}`)
        .replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')
        .replace(/Content-Type: .*\r\n/, '')
        .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, 'Content-Length: 0\r\n\r\n'),
    );
    await sleep(100);
    const count = client.received.filter((entry) => entry.status === 486).length;
    await sleep(1200);
    expect(client.received.filter((entry) => entry.status === 486).length).toBe(count);
  });
});
