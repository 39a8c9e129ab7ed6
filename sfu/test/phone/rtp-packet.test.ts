import { describe, expect, it } from 'vitest';

import {
  RtpParseError,
  audioLevelExtensionValue,
  emptyReceiverReport,
  isRtcpPacket,
  parseRtpPacket,
  readAudioLevel,
  serializeRtpPacket,
  type RtpParseErrorReason,
} from '../../src/phone/rtp-packet';
import { rtpPacket } from '../support/rtp';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function expectRejected(datagram: Buffer, reason: RtpParseErrorReason): void {
  let thrown: unknown;
  try {
    parseRtpPacket(datagram);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(RtpParseError);
  expect((thrown as RtpParseError).reason).toBe(reason);
}

describe('parseRtpPacket', () => {
  it('reads the fixed header and the payload', () => {
    // V=2, M=1, PT=0, seq 0xabcd, ts 0x01020304, SSRC 0xdeadbeef, payload ff ff.
    const packet = parseRtpPacket(hex('80 80 abcd 01020304 deadbeef ffff'));
    expect(packet).toMatchObject({ payloadType: 0, marker: true, sequenceNumber: 0xabcd, timestamp: 0x01020304, ssrc: 0xdeadbeef, csrcs: [] });
    expect([...packet.payload]).toEqual([0xff, 0xff]);
    expect(packet.extensions.size).toBe(0);
  });

  it('reads CSRCs', () => {
    const packet = parseRtpPacket(hex('82 08 0001 00000000 00000001 0000000a 0000000b 55'));
    expect(packet.csrcs).toEqual([10, 11]);
    expect(packet.payloadType).toBe(8);
    expect([...packet.payload]).toEqual([0x55]);
  });

  it('reads one-byte header extensions, the RFC 6464 audio level among them', () => {
    // BEDE, 2 words: id 1 len 1 (level: V + 30), id 3 len 2 (aa bb), padding.
    const packet = parseRtpPacket(hex('90 64 0001 00000960 00000001 bede 0002 10 9e 31 aabb 000000 fc'));
    expect(readAudioLevel(packet, 1)).toEqual({ level: 30, voice: true });
    expect([...packet.extensions.get(3)!]).toEqual([0xaa, 0xbb]);
    expect(readAudioLevel(packet, 2)).toBeUndefined();
    expect(readAudioLevel(packet, undefined)).toBeUndefined();
    expect([...packet.payload]).toEqual([0xfc]);
  });

  it('reads two-byte header extensions', () => {
    const packet = parseRtpPacket(hex('90 64 0001 00000000 00000001 1000 0001 05 01 1e 00 fc'));
    expect([...packet.extensions.get(5)!]).toEqual([0x1e]);
    expect(readAudioLevel(packet, 5)).toEqual({ level: 30, voice: false });
  });

  it('strips padding', () => {
    const packet = parseRtpPacket(hex('a0 00 0001 00000000 00000001 1122 0000 03'));
    expect([...packet.payload]).toEqual([0x11, 0x22]);
  });

  it('reads what the existing tests send mediasoup', () => {
    const datagram = rtpPacket({
      payloadType: 100,
      sequenceNumber: 7,
      timestamp: 6720,
      ssrc: 42,
      payload: Buffer.from([1, 2, 3]),
      audioLevel: { id: 1, level: 20 },
    });
    const packet = parseRtpPacket(datagram);
    expect(packet).toMatchObject({ payloadType: 100, sequenceNumber: 7, timestamp: 6720, ssrc: 42 });
    expect(readAudioLevel(packet, 1)).toEqual({ level: 20, voice: true });
  });

  it.each<[string, string, RtpParseErrorReason]>([
    ['an empty datagram', '', 'TOO_SHORT'],
    ['a truncated header', '80 00 0001 00000000 0000', 'TOO_SHORT'],
    ['version 1', '40 00 0001 00000000 00000001 ff', 'NOT_VERSION_2'],
    ['version 0 (STUN)', '00 01 0000 2112a442 00000000 00000000', 'NOT_VERSION_2'],
    ['an RTCP receiver report', '81 c9 0007 00000001 00000002 00000000 00000000 00000000 00000000 00000000', 'RTCP'],
    ['CSRCs beyond the datagram', '8f 00 0001 00000000 00000001 00000002', 'MALFORMED'],
    ['an extension longer than the datagram', '90 00 0001 00000000 00000001 bede 0010 10ff', 'MALFORMED'],
    ['an extension header cut short', '90 00 0001 00000000 00000001 be', 'MALFORMED'],
    ['a one-byte element past its block', '90 00 0001 00000000 00000001 bede 0001 000000 3f', 'MALFORMED'],
    ['padding longer than the payload', 'a0 00 0001 00000000 00000001 11 ff', 'MALFORMED'],
    ['padding count 0', 'a0 00 0001 00000000 00000001 1122 00', 'BAD_PADDING'],
  ])('rejects %s with a typed error', (_name, datagram, reason) => {
    expectRejected(hex(datagram), reason);
  });

  it('never throws anything but RtpParseError, whatever the bytes', () => {
    // A deterministic fuzz: random datagrams, and valid packets with random bytes flipped.
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 8;
    };
    const valid = serializeRtpPacket({
      payloadType: 100,
      sequenceNumber: 1,
      timestamp: 960,
      ssrc: 5,
      csrcs: [1],
      extensions: new Map([[1, Uint8Array.of(0x9e)]]),
      payload: Buffer.alloc(20, 1),
    });
    for (let i = 0; i < 1500; i++) {
      let datagram: Buffer;
      if (i % 2 === 0) {
        datagram = Buffer.alloc(random() % 40);
        for (let j = 0; j < datagram.length; j++) datagram[j] = random() & 0xff;
        if (datagram.length > 0) datagram[0] = 0x80 | (datagram[0]! & 0x3f);
      } else {
        datagram = Buffer.from(valid);
        for (let flips = 1 + (random() % 3); flips > 0; flips--) datagram[random() % datagram.length] = random() & 0xff;
        datagram = datagram.subarray(0, datagram.length - (random() % 4));
      }
      try {
        parseRtpPacket(datagram);
      } catch (error) {
        expect(error).toBeInstanceOf(RtpParseError);
      }
    }
  });
});

describe('parseRtpPacket on a call socket', () => {
  it('round-trips a phone packet and rejects what is not RTP: short, version 1, RTCP, a CSRC count past the end', () => {
    const packet = { marker: true, payloadType: 101, sequenceNumber: 65535, timestamp: 2 ** 32 - 1, ssrc: 1234, payload: Buffer.from([1, 2, 3, 4]) };
    expect(parseRtpPacket(serializeRtpPacket(packet))).toEqual({ ...packet, csrcs: [], extensions: new Map() });
    expectRejected(Buffer.alloc(11), 'TOO_SHORT');
    expectRejected(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'NOT_VERSION_2');
    expectRejected(serializeRtpPacket({ ...packet, payloadType: 72 }), 'RTCP');
    const lyingCsrc = serializeRtpPacket(packet);
    lyingCsrc[0] = 0x8f; // 15 CSRCs that are not there
    expectRejected(lyingCsrc, 'MALFORMED');
  });
});

describe('serializeRtpPacket', () => {
  it('writes what parseRtpPacket reads back, CSRCs and extensions included', () => {
    const fields = {
      payloadType: 111,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 0x12345678,
      marker: true,
      csrcs: [1, 2, 3],
      extensions: new Map<number, Uint8Array>([
        [1, audioLevelExtensionValue(42, true)],
        [14, Uint8Array.of(1, 2, 3, 4, 5)],
      ]),
      payload: Buffer.from('hello'),
    };
    const packet = parseRtpPacket(serializeRtpPacket(fields));
    expect(packet).toMatchObject({ payloadType: 111, sequenceNumber: 65535, timestamp: 0xffffffff, ssrc: 0x12345678, marker: true, csrcs: [1, 2, 3] });
    expect(readAudioLevel(packet, 1)).toEqual({ level: 42, voice: true });
    expect([...packet.extensions.get(14)!]).toEqual([1, 2, 3, 4, 5]);
    expect(packet.payload.toString()).toBe('hello');
  });

  it('writes the exact bytes RFC 3550 and RFC 8285 describe', () => {
    const datagram = serializeRtpPacket({
      payloadType: 0,
      sequenceNumber: 1,
      timestamp: 160,
      ssrc: 1,
      extensions: new Map([[1, audioLevelExtensionValue(127, false)]]),
      payload: Uint8Array.of(0xff),
    });
    expect(datagram.toString('hex')).toBe('9000' + '0001' + '000000a0' + '00000001' + 'bede0001' + '107f0000' + 'ff');
  });

  it('writes a packet without CSRCs or extensions (every phone packet of the mix) as the fixed header and the payload', () => {
    const fields = { payloadType: 8, sequenceNumber: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true, payload: Uint8Array.of(1, 2, 3) };
    const datagram = serializeRtpPacket(fields);
    expect(datagram.toString('hex')).toBe('8088' + 'fffe' + 'fffffff0' + 'deadbeef' + '010203');
    expect(parseRtpPacket(datagram)).toMatchObject({ ...fields, csrcs: [], payload: Buffer.of(1, 2, 3) });
  });

  it('refuses fields out of range', () => {
    const base = { payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: Buffer.alloc(1) };
    expect(() => serializeRtpPacket({ ...base, payloadType: 128 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, sequenceNumber: 65536 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, timestamp: -1 })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, extensions: new Map([[15, Uint8Array.of(1)]]) })).toThrow(RangeError);
    expect(() => serializeRtpPacket({ ...base, extensions: new Map([[1, new Uint8Array(17)]]) })).toThrow(RangeError);
  });
});

describe('RTP and RTCP on one port', () => {
  it('tells them apart by RFC 5761', () => {
    expect(isRtcpPacket(emptyReceiverReport(1))).toBe(true);
    expect(isRtcpPacket(hex('80 c8 0006 00000001 0000000000000000 00000000 00000000 00000000'))).toBe(true);
    expect(isRtcpPacket(hex('80 00 0001 00000000 00000001 ff'))).toBe(false);
    // Payload type 100 with the marker bit: 0xe4, above the RTCP range.
    expect(isRtcpPacket(hex('80 e4 0001 00000000 00000001 ff'))).toBe(false);
  });

  it('writes an empty receiver report', () => {
    expect(emptyReceiverReport(0x01020304).toString('hex')).toBe('80c9000101020304');
  });
});
