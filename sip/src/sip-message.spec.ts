import { describe, expect, it } from 'vitest';
import { buildRequest, buildResponse, parseSipMessage, type SipRequest, userPartOf } from './sip-message';

const INVITE = [
  'INVITE sip:4711@gateway.example SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: <sip:4711@gateway.example>',
  'From: "Erika Muster" <sip:erika@example.org>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.org',
  'CSeq: 314159 INVITE',
  'Contact: <sip:erika@192.0.2.10:5062>',
  'Supported: timer, replaces',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\r\n',
].join('\r\n');

function request(text: string): SipRequest {
  const result = parseSipMessage(Buffer.from(text, 'latin1'));
  if (result.kind !== 'request') throw new Error(`expected a request, got ${JSON.stringify(result)}`);
  return result.request;
}

describe('parseSipMessage', () => {
  it('reads a request with the library grammar and keeps raw header values', () => {
    const invite = request(INVITE);
    expect(invite.method).toBe('INVITE');
    expect(invite.headers.via[0]).toMatchObject({ protocol: 'UDP', host: '192.0.2.10', port: 5062, params: { branch: 'z9hG4bK776asdhds' } });
    expect(invite.headers.from).toMatchObject({ name: '"Erika Muster"', uri: 'sip:erika@example.org', params: { tag: '1928301774' } });
    expect(invite.headers.cseq).toEqual({ seq: 314159, method: 'INVITE' });
    expect(invite.raw.supported).toEqual(['timer, replaces']);
    // Content-Length cuts the body: the two bytes after it are discarded (RFC 3261 §18.3).
    expect(invite.content).toBe('v=0\r');
  });

  it('recognises keep-alives and responses', () => {
    expect(parseSipMessage(Buffer.from('\r\n\r\n')).kind).toBe('keepalive');
    const response = parseSipMessage(
      Buffer.from(
        'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x@y\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    expect(response).toMatchObject({ kind: 'response', response: { status: 200, headers: { cseq: { seq: 2, method: 'BYE' } } } });
  });

  it.each([
    ['Content-Length: 4', 'Content-Length: 40', 400, 'Content-Length Exceeds Body'],
    ['Content-Length: 4', 'Content-Length: +4', 400, 'Bad Content-Length'],
    ['CSeq: 314159 INVITE', 'CSeq: 314159 BYE', 400, 'Invalid sip.cseq.method'],
    [';tag=1928301774', '', 400, 'Invalid from'],
    ['Max-Forwards: 70', 'Max-Forwards 70', 400, 'Malformed Header'],
    ['INVITE sip:4711@gateway.example SIP/2.0', 'INVITE sip:4711@gateway.example SIP/3.0', 505, 'Version Not Supported'],
    ['To: <sip:4711@gateway.example>', 'To: <sip:4711@gateway.example>\r\nTo: <sip:other@gateway.example>', 400, 'Conflicting to'],
  ])('rejects %s → %s with %d', (from, to, status, reason) => {
    const result = parseSipMessage(Buffer.from(INVITE.replace(from, to), 'latin1'));
    expect(result.kind).toBe('reject');
    if (result.kind !== 'reject') return;
    expect(result.status).toBe(status);
    if (reason) expect(result.reason).toBe(reason);
  });

  it('drops what cannot be answered', () => {
    for (const text of [
      '',
      'garbage',
      INVITE.replace(/^Via: .*\r\n/m, ''),
      INVITE.replace('branch=z9hG4bK776asdhds', 'branch=1'),
      // A CSeq beyond 2^31 cannot be copied into an answer faithfully.
      INVITE.replace('CSeq: 314159 INVITE', 'CSeq: 99999999999 INVITE'),
    ]) {
      expect(parseSipMessage(Buffer.from(text, 'latin1')).kind).toBe('drop');
    }
  });

  it('requires Content-Length on streams', () => {
    const result = parseSipMessage(Buffer.from(INVITE.replace('Content-Length: 4\r\n', ''), 'latin1'), { stream: true });
    expect(result).toMatchObject({ kind: 'reject', reason: 'Content-Length Required' });
  });

  it('never throws, whatever the bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(INVITE, 'latin1');
      for (let m = 0; m < 1 + (i % 6); m++) bytes[Math.floor(Math.random() * bytes.length)] = Math.floor(Math.random() * 256);
      expect(() => parseSipMessage(bytes.subarray(0, i % 3 === 0 ? Math.floor(Math.random() * bytes.length) : undefined))).not.toThrow();
    }
  });

  it('parses a hostile 2 KB header in well under a second (no regex backtracking blow-up)', () => {
    const started = performance.now();
    parseSipMessage(Buffer.from(INVITE.replace('From: "Erika Muster"', `From: ${'a '.repeat(1000)}`), 'latin1'));
    parseSipMessage(Buffer.from(INVITE.replace('Contact: <sip:erika@192.0.2.10:5062>', `Contact: ${'<'.repeat(2000)}`), 'latin1'));
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('buildResponse and buildRequest', () => {
  it('copies Via, From, To, Call-ID and CSeq, adds the To tag, received and rport', () => {
    const text = buildResponse(request(INVITE), 200, {
      toTag: 'gw1',
      source: { address: '198.51.100.7', port: 40000 },
      headers: { Contact: '<sip:konferenz@gateway.example>' },
      content: 'v=0\r\n',
    });
    expect(text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(text).toContain('Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK776asdhds;rport=40000;received=198.51.100.7\r\n');
    expect(text).toMatch(/To: +<sip:4711@gateway\.example>;tag=gw1\r\n/);
    expect(text).toContain('CSeq: 314159 INVITE\r\n');
    expect(text).toContain('Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
    expect(parseSipMessage(Buffer.from(text, 'latin1')).kind).toBe('response');
  });

  it('leaves the To tag off 100 Trying', () => {
    expect(buildResponse(request(INVITE), 100, { toTag: 'gw1' })).not.toContain('tag=gw1');
  });

  it('builds a BYE that parses back', () => {
    const invite = request(INVITE);
    const bye = buildRequest({
      method: 'BYE',
      uri: 'sip:erika@192.0.2.10:5062',
      via: { transport: 'UDP', host: '203.0.113.1', port: 5060, branch: 'z9hG4bKbye1' },
      from: { ...invite.headers.to, params: { tag: 'gw1' } },
      to: invite.headers.from,
      callId: invite.headers['call-id'],
      cseq: 1,
    });
    const parsed = request(bye);
    expect(parsed).toMatchObject({ method: 'BYE', uri: 'sip:erika@192.0.2.10:5062', headers: { cseq: { seq: 1, method: 'BYE' } } });
  });
});

describe('userPartOf', () => {
  it('reads the user of sip and sips URIs, and the number of tel URIs, without parameters', () => {
    expect(userPartOf('sip:+4930123@trunk.example;user=phone')).toBe('+4930123');
    expect(userPartOf('sips:alice@example.org')).toBe('alice');
    expect(userPartOf('sip:%2B4930123@example.org')).toBe('+4930123');
    expect(userPartOf('tel:+4930123456;isub=12')).toBe('+4930123456');
    expect(userPartOf('sip:+4930123;isub=12@example.org')).toBe('+4930123');
    expect(userPartOf('sip:example.org')).toBeUndefined();
  });
});
