import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { encodeG711, serializeRtpPacket, parseRtpPacket, type RtpPacket, type RtpSession } from '@konferenz/sfu';
import type { NegotiatedAudio, SipCall } from '@konferenz/sip';
import { CallKeys } from './call-keys';

/** 60 ms of the '5' key (770 + 1336 Hz) and 60 ms of silence, as 20 ms µ-law packets. */
function fivePackets(): RtpPacket[] {
  const samples = new Int16Array(960);
  for (let n = 0; n < 480; n++) samples[n] = 4000 * Math.sin((2 * Math.PI * 770 * n) / 8000) + 5000 * Math.sin((2 * Math.PI * 1336 * n) / 8000);
  const payload = encodeG711('mulaw', samples);
  return Array.from({ length: 6 }, (_, i) =>
    parseRtpPacket(
      serializeRtpPacket({
        payloadType: 0,
        sequenceNumber: i,
        timestamp: i * 160,
        ssrc: 1,
        marker: false,
        payload: Buffer.from(payload.subarray(i * 160, (i + 1) * 160)),
      }),
    ),
  );
}

function setup(codec = 'PCMU') {
  const call = new EventEmitter();
  const rtp = Object.assign(new EventEmitter(), { media: { codec } });
  let now = 1000;
  const keys = new CallKeys(call as unknown as SipCall, rtp as unknown as RtpSession<NegotiatedAudio>, () => now);
  const heard: string[] = [];
  keys.on('key', (digit) => heard.push(digit));
  const tones = () => {
    for (const packet of fivePackets()) rtp.emit('audio', packet);
  };
  return { call, rtp, keys, heard, tones, advance: (ms: number) => (now += ms) };
}

describe('CallKeys', () => {
  it("hears keys in a G.711 caller's audio", () => {
    const { heard, tones } = setup();
    tones();
    tones();
    expect(heard).toEqual(['5', '5']);
  });

  it("does not listen to an Opus caller's audio", () => {
    const { heard, tones } = setup('opus');
    tones();
    expect(heard).toEqual([]);
  });

  it('counts a key that arrives in-band and as RFC 4733 within 500 ms once, then stops listening in-band', () => {
    const { rtp, keys, heard, tones, advance } = setup();
    tones();
    advance(200);
    rtp.emit('key', 5);
    expect(heard).toEqual(['5']);
    expect(keys.listeningInband).toBe(false);
    tones();
    advance(1000);
    rtp.emit('key', 5);
    expect(heard).toEqual(['5', '5']);
  });

  it('takes SIP INFO and RFC 4733 keys, and the same key from one path twice', () => {
    const { call, rtp, heard, advance } = setup();
    call.emit('dtmf', '1');
    advance(100);
    rtp.emit('key', 1);
    advance(100);
    rtp.emit('key', 1);
    call.emit('dtmf', '#');
    expect(heard).toEqual(['1', '1', '#']);
  });

  it('keeps a repeated digit sent both ways as two keys: each copy cancels one', () => {
    const { call, rtp, heard, advance } = setup();
    rtp.emit('key', 1);
    advance(30);
    call.emit('dtmf', '1');
    advance(220);
    rtp.emit('key', 1);
    advance(30);
    call.emit('dtmf', '1');
    expect(heard).toEqual(['1', '1']);
  });
});
