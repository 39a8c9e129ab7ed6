import { describe, expect, it } from 'vitest';

import { parseRtpPacket } from '../../src/phone/rtp-packet';
import { RtpStreamWriter } from '../../src/phone/rtp-stream-writer';

describe('RtpStreamWriter', () => {
  it('numbers packets one by one and stamps them with the media clock, wrapping both', () => {
    const writer = new RtpStreamWriter({ payloadType: 0, clockRate: 8000, ssrc: 7, firstSequenceNumber: 65534, firstTimestamp: 0xffffff00 });
    const packets = [0, 1, 2, 3].map((frame) => parseRtpPacket(writer.packet(frame * 160, new Uint8Array(160))));
    expect(packets.map((p) => p.sequenceNumber)).toEqual([65534, 65535, 0, 1]);
    expect(packets.map((p) => p.timestamp)).toEqual([0xffffff00, 0xffffffa0, 0x40, 0xe0]);
    expect(packets.every((p) => p.ssrc === 7 && p.payloadType === 0)).toBe(true);
    expect(writer.packetsSent).toBe(4);
  });

  it('shows skipped frames as a timestamp gap, not a sequence gap', () => {
    const writer = new RtpStreamWriter({ payloadType: 0, clockRate: 8000, firstSequenceNumber: 10, firstTimestamp: 0 });
    const a = parseRtpPacket(writer.packet(0, new Uint8Array(1)));
    const b = parseRtpPacket(writer.packet(5 * 160, new Uint8Array(1)));
    expect(b.sequenceNumber - a.sequenceNumber).toBe(1);
    expect(b.timestamp - a.timestamp).toBe(800);
  });

  it('marks the first packet of each talkspurt', () => {
    const writer = new RtpStreamWriter({ payloadType: 100, clockRate: 48000 });
    const marks = () => parseRtpPacket(writer.packet(0, new Uint8Array(1))).marker;
    expect([marks(), marks()]).toEqual([true, false]);
    writer.pause();
    expect([marks(), marks()]).toEqual([true, false]);
  });

  it('picks random SSRC, first sequence number and timestamp (RFC 3550)', () => {
    const a = new RtpStreamWriter({ payloadType: 0, clockRate: 8000 });
    const b = new RtpStreamWriter({ payloadType: 0, clockRate: 8000 });
    expect(a.ssrc).not.toBe(b.ssrc);
    expect(a.timestampAt(0)).not.toBe(b.timestampAt(0));
  });
});
