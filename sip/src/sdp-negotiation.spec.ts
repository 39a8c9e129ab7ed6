import { describe, expect, it } from 'vitest';
import { acceptSdpAnswer, createSdpOffer, negotiateSdp, parseSdp, type LocalMedia } from './sdp-negotiation';

const local: LocalMedia = { address: '203.0.113.5', port: 30000, codecs: ['opus', 'G722', 'PCMA', 'PCMU'], sessionId: '42', sessionVersion: 1 };

function offer(media: string, extra = ''): string {
  return ['v=0', 'o=phone 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', media, extra].filter(Boolean).join('\r\n') + '\r\n';
}

describe('negotiateSdp', () => {
  it('answers G.711 µ-law with telephone-events, keeping the offered payload types', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16'), local);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.audio).toMatchObject({
      codec: 'PCMU',
      payloadType: 0,
      telephoneEventPayloadType: 96,
      remoteAddress: '192.0.2.10',
      remotePort: 4000,
      direction: 'sendrecv',
      onHold: false,
      ptime: 20,
    });
    expect(result.answer).toBe(
      [
        'v=0',
        'o=- 42 1 IN IP4 203.0.113.5',
        's=-',
        'c=IN IP4 203.0.113.5',
        't=0 0',
        'm=audio 30000 RTP/AVP 0 96',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-15',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('takes static payload types without rtpmap, in the gateway preference order', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 0 8 9'), local);
    expect(result.ok && result.audio).toMatchObject({ codec: 'G722', payloadType: 9, clockRate: 8000, telephoneEventPayloadType: null });
  });

  it('prefers Opus when offered, with a 48 kHz telephone-event', () => {
    const result = negotiateSdp(
      offer('m=audio 4000 RTP/AVP 111 0 101 110\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/48000\r\na=rtpmap:110 telephone-event/8000'),
      local,
    );
    expect(result.ok && result.audio).toMatchObject({ codec: 'opus', payloadType: 111, clockRate: 48000, telephoneEventPayloadType: 101 });
    expect(result.ok && result.answer).toContain('a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1');
  });

  it('answers Opus offered with telephone-event only at 8 kHz (baresip with Opus alone) with those events, never without a key path', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000'), local);
    expect(result.ok && result.audio).toMatchObject({ codec: 'opus', payloadType: 111, clockRate: 48000, telephoneEventPayloadType: 101 });
    expect(result.ok && result.answer).toContain('m=audio 30000 RTP/AVP 111 101\r\n');
    expect(result.ok && result.answer).toContain('a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15');
  });

  it('still prefers events at the codec clock: G.711 with 8 kHz events over Opus without 48 kHz ones', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000'), local);
    expect(result.ok && result.audio).toMatchObject({ codec: 'PCMU', telephoneEventPayloadType: 101 });
  });

  it('follows the codecs the gateway enables', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 111 8\r\na=rtpmap:111 opus/48000/2'), { ...local, codecs: ['PCMU', 'PCMA'] });
    expect(result.ok && result.audio.codec).toBe('PCMA');
  });

  it.each([
    ['a=sendonly', 'recvonly', true],
    ['a=inactive', 'inactive', true],
    ['a=recvonly', 'sendonly', false],
  ])('answers %s with %s (hold: %s)', (attribute, direction, onHold) => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 0', attribute), local);
    expect(result.ok && result.audio).toMatchObject({ direction, onHold });
    expect(result.ok && result.answer).toContain(`a=${direction}\r\n`);
  });

  it('treats c=0.0.0.0 as hold (RFC 2543 style)', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 0').replace('c=IN IP4 192.0.2.10', 'c=IN IP4 0.0.0.0'), local);
    expect(result.ok && result.audio).toMatchObject({ onHold: true, direction: 'recvonly' });
  });

  it('declines video and keeps the m-line order', () => {
    const result = negotiateSdp(offer('m=video 5000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 4000 RTP/AVP 8'), local);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.answer).toMatch(/m=video 0 RTP\/AVP 96\r\nm=audio 30000 RTP\/AVP 8\r\n/);
  });

  it('takes the plain RTP stream when SRTP is offered beside it', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/SAVP 0\r\nm=audio 4002 RTP/AVP 0'), local);
    expect(result.ok && result.audio.remotePort).toBe(4002);
    expect(result.ok && result.answer).toContain('m=audio 0 RTP/SAVP 0\r\nm=audio 30000 RTP/AVP 0');
  });

  it.each([
    [offer('m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000'), 'no-common-codec'],
    [offer('m=video 4000 RTP/AVP 96'), 'no-audio'],
    [offer('m=audio 0 RTP/AVP 0'), 'no-audio'],
    [offer('m=audio 4000 RTP/SAVP 0'), 'unsupported-transport'],
    [offer('m=audio 4000 UDP/TLS/RTP/SAVPF 111'), 'unsupported-transport'],
    [offer('m=audio 4000 RTP/AVP 0').replace('c=IN IP4 192.0.2.10', 'c=IN IP6 2001:db8::1'), 'unsupported-transport'],
    ['v=0\r\nthis is not sdp\r\n', 'malformed'],
    [offer('m=audio 70000 RTP/AVP 0'), 'malformed'],
    [offer('m=audio 4000 RTP/AVP 0').replace('s=-\r\n', ''), 'malformed'],
    [offer('m=audio 4000 RTP/AVP 0').replace(/^c=.*\r\n/m, ''), 'malformed'],
    ['', 'malformed'],
  ])('refuses an unusable offer (%#: %s)', (text, reason) => {
    expect(negotiateSdp(text, local)).toMatchObject({ ok: false, reason });
  });
});

describe('offers for INVITEs without SDP', () => {
  it('offers every enabled codec with telephone-events at both clock rates, and reads the answer', () => {
    const sdp = createSdpOffer(local);
    expect(parseSdp(sdp).ok).toBe(true);
    expect(sdp).toContain('m=audio 30000 RTP/AVP 111 9 8 0 102 101\r\n');
    const answer = offer('m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000');
    expect(acceptSdpAnswer(answer, local)).toMatchObject({ ok: true, audio: { codec: 'PCMA', telephoneEventPayloadType: 101, remotePort: 4000 } });
  });
});
