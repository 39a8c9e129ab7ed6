import { describe, expect, it } from 'vitest';

import { OpusDecodeError, OpusFrameDecoder, OpusFrameEncoder, toc20ms } from '../../src/phone/opus-codec';
import { dominantFrequency, rms, sine, toFloat, toInt16, toneAmplitude } from './support/audio';

function encodeTone(frequency: number, sampleRate: 8000 | 48000, frames: number): Buffer[] {
  const encoder = new OpusFrameEncoder({ sampleRate });
  const frame = sampleRate / 50;
  return Array.from({ length: frames }, (_, f) => encoder.encode(toInt16(sine(frequency, sampleRate, frame, 0.4, f * frame))));
}

describe('Opus (@discordjs/opus)', () => {
  it('encodes 20 ms of 48 kHz mono and decodes it back to the same tone', () => {
    const packets = encodeTone(440, 48000, 25);
    const decoder = new OpusFrameDecoder(48000);
    const decoded = packets.map((packet) => decoder.decode(packet));
    expect(decoded.every((frame) => frame.length === 960)).toBe(true);
    const tail = toFloat(Int16Array.from(decoded.slice(10).flatMap((frame) => [...frame])));
    expect(dominantFrequency(tail, 48000, 100, 4000)).toBe(440);
    expect(toneAmplitude(tail, 440, 48000)).toBeGreaterThan(0.25);
  });

  it('encodes 8 kHz input (narrowband, as from G.711) that decodes at 48 kHz', () => {
    const packets = encodeTone(440, 8000, 25);
    const decoder = new OpusFrameDecoder(48000);
    const tail = toFloat(Int16Array.from(packets.slice(10).flatMap((packet) => [...decoder.decode(packet)])));
    expect(tail.length).toBe(15 * 960);
    expect(dominantFrequency(tail, 48000, 100, 4000)).toBe(440);
  });

  it('conceals a lost packet with 20 ms that carry on the signal', () => {
    const packets = encodeTone(440, 48000, 20);
    const decoder = new OpusFrameDecoder(48000);
    for (const packet of packets.slice(0, 10)) decoder.decode(packet);
    const concealed = decoder.conceal();
    expect(concealed).toHaveLength(960);
    expect(rms(toFloat(concealed))).toBeGreaterThan(0.1);
    expect(dominantFrequency(toFloat(concealed), 48000, 100, 4000, 20)).toBeGreaterThan(400);
    // And decoding goes on normally afterwards.
    expect(decoder.decode(packets[11]!)).toHaveLength(960);
  });

  it('conceals with silence before the first packet', () => {
    const concealed = new OpusFrameDecoder(48000).conceal();
    expect(concealed).toHaveLength(960);
    expect(rms(concealed)).toBe(0);
  });

  it('throws OpusDecodeError for corrupted or empty packets and keeps decoding', () => {
    const packets = encodeTone(440, 48000, 5);
    const decoder = new OpusFrameDecoder(48000);
    decoder.decode(packets[0]!);
    // TOC code 3 (arbitrary frame count) with a frame count of 0 is invalid (RFC 6716 3.2.5).
    expect(() => decoder.decode(Uint8Array.of(0xfb, 0x00))).toThrow(OpusDecodeError);
    expect(() => decoder.decode(new Uint8Array(0))).toThrow(OpusDecodeError);
    expect(decoder.decode(packets[1]!)).toHaveLength(960);
  });

  it('rewrites a TOC byte to one 20 ms frame of the same mode and bandwidth', () => {
    // SILK wideband 40 ms (config 10) -> SILK wideband 20 ms (config 9).
    expect(toc20ms((10 << 3) | 0b011) >> 3).toBe(9);
    // Hybrid fullband 10 ms (14) -> 20 ms (15), stereo flag kept.
    expect(toc20ms((14 << 3) | 0b100)).toBe((15 << 3) | 0b100);
    // CELT fullband 10 ms (30) -> 20 ms (31).
    expect(toc20ms(30 << 3) >> 3).toBe(31);
  });
});
