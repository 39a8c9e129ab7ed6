import { describe, expect, it } from 'vitest';
import { createSdpOffer, negotiateSdp, type LocalMedia } from '@konferenz/sip';
import { ANSWERED_CODECS, negotiateAnswer, OFFERED_CODECS } from './phone-codecs';

const local: LocalMedia = { address: '203.0.113.5', port: 30000, codecs: ['opus', 'G722', 'PCMA', 'PCMU'], sessionId: '42', sessionVersion: 1 };

function offer(media: string, extra = ''): string {
  return ['v=0', 'o=phone 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 't=0 0', media, extra].filter(Boolean).join('\r\n') + '\r\n';
}

describe("the phone gateway's codecs", () => {
  const phone: LocalMedia = { ...local, codecs: ANSWERED_CODECS };

  it('answers Opus whenever the caller offers it, even listed after G.711, with the 48 kHz telephone-event', () => {
    const result = negotiateSdp(
      offer('m=audio 4000 RTP/AVP 0 8 96 101 102\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=rtpmap:102 telephone-event/48000'),
      phone,
    );
    expect(result.ok && result.audio).toMatchObject({ codec: 'opus', payloadType: 96, clockRate: 48000, telephoneEventPayloadType: 102 });
    expect(result.ok && result.answer).toContain(
      [
        'm=audio 30000 RTP/AVP 96 102',
        'a=rtpmap:96 opus/48000/2',
        'a=fmtp:96 useinbandfec=1;stereo=0;sprop-stereo=0',
        'a=rtpmap:102 telephone-event/48000',
        'a=fmtp:102 0-15',
        '',
      ].join('\r\n'),
    );
  });

  it('then G.722, whether offered alone, first or after G.711, with telephone-event at its 8 kHz RTP clock', () => {
    const alone = negotiateSdp(offer('m=audio 4000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000'), phone);
    expect(alone.ok && alone.audio).toMatchObject({ codec: 'G722', payloadType: 9, clockRate: 8000, telephoneEventPayloadType: 101 });
    expect(alone.ok && alone.answer).toContain('m=audio 30000 RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\n');
    const events = '\r\na=rtpmap:101 telephone-event/8000';
    expect(negotiateSdp(offer(`m=audio 4000 RTP/AVP 9 0 8 101${events}`), phone)).toMatchObject({ ok: true, audio: { codec: 'G722' } });
    expect(negotiateSdp(offer(`m=audio 4000 RTP/AVP 0 8 9 101${events}`), phone)).toMatchObject({ ok: true, audio: { codec: 'G722' } });
  });

  it('answers G.711 before G.722 to a caller offering no telephone-event: its keys can only come as tones, heard in G.711', () => {
    const answer = (media: string) => negotiateAnswer(offer(media), (codecs) => ({ ...local, codecs }));
    expect(answer('m=audio 4000 RTP/AVP 9 0 8')).toMatchObject({ ok: true, audio: { codec: 'PCMU', telephoneEventPayloadType: null } });
    expect(answer('m=audio 4000 RTP/AVP 9 8')).toMatchObject({ ok: true, audio: { codec: 'PCMA' } });
    expect(answer('m=audio 4000 RTP/AVP 9')).toMatchObject({ ok: true, audio: { codec: 'G722' } });
    expect(answer('m=audio 4000 RTP/AVP 9 0 101\r\na=rtpmap:101 telephone-event/8000')).toMatchObject({ ok: true, audio: { codec: 'G722' } });
  });

  it('keeps Opus for a caller offering Opus and G.722', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 9 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/48000'), phone);
    expect(result.ok && result.audio).toMatchObject({ codec: 'opus', payloadType: 111 });
  });

  it('then PCMU, then PCMA', () => {
    expect(negotiateSdp(offer('m=audio 4000 RTP/AVP 8 0'), phone)).toMatchObject({ ok: true, audio: { codec: 'PCMU' } });
    expect(negotiateSdp(offer('m=audio 4000 RTP/AVP 8'), phone)).toMatchObject({ ok: true, audio: { codec: 'PCMA' } });
    expect(negotiateSdp(offer('m=audio 4000 RTP/AVP 18'), phone)).toMatchObject({ ok: false, reason: 'no-common-codec' });
  });

  it('gives an Opus caller whose telephone-event runs only at 8 kHz (and who offers nothing else) those events: a key path for the menu', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000'), phone);
    expect(result.ok && result.audio).toMatchObject({ codec: 'opus', telephoneEventPayloadType: 101 });
    expect(result.ok && result.answer).toContain('m=audio 30000 RTP/AVP 111 101\r\n');
  });

  it('answers G.711 to a caller whose telephone-event runs only at 8 kHz but who offers G.711 too: the keys matter more than wideband', () => {
    const result = negotiateSdp(offer('m=audio 4000 RTP/AVP 111 0 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000'), phone);
    expect(result.ok && result.audio).toMatchObject({ codec: 'PCMU', telephoneEventPayloadType: 101 });
  });

  it('offers G.711 only when the INVITE has no SDP', () => {
    expect(createSdpOffer({ ...local, codecs: OFFERED_CODECS })).toContain('m=audio 30000 RTP/AVP 0 8 101\r\n');
  });
});
