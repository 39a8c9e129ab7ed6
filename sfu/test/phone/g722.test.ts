import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { G722_FRAME_BYTES, G722_FRAME_SAMPLES, G722Decoder, G722Encoder } from '../../src/phone/g722';
import { dominantFrequency, sine, toInt16 } from './support/audio';

/** G.722 as Debian's libspandsp2 computes it; see fixtures/make-g722-vectors.py. */
const vectors = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'g722-vectors.json'), 'utf8')) as Record<
  'input' | 'encoded' | 'decoded' | 'randomBytes' | 'randomDecoded',
  string
>;

function bytes(name: keyof typeof vectors): Uint8Array {
  return new Uint8Array(Buffer.from(vectors[name], 'base64'));
}

function int16(name: keyof typeof vectors): Int16Array {
  const data = bytes(name);
  return new Int16Array(data.buffer, data.byteOffset, data.byteLength / 2);
}

/**
 * Where the receive filter's output leaves 16 bits, spandsp 0.0.6 wraps it
 * (a full-scale click of the wrong sign) and ours saturates, as later
 * spandsp does; everywhere else the samples are the same.
 */
function expectSameButSaturated(ours: ArrayLike<number>, theirs: ArrayLike<number>): number {
  expect(ours.length).toBe(theirs.length);
  let wrapped = 0;
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === theirs[i]) continue;
    wrapped++;
    expect([32767, -32768]).toContain(ours[i]);
    expect(Math.sign(ours[i]!)).toBe(-Math.sign(theirs[i]!));
  }
  return wrapped;
}

/** Runs a codec over its input 20 ms at a time, as a call does. */
function inFrames<T extends Int16Array | Uint8Array>(input: T, frame: number, code: (part: T) => Int16Array | Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < input.length; at += frame) out.push(...code(input.subarray(at, at + frame) as T));
  return out;
}

describe('G.722 (64 kbit/s)', () => {
  it('encodes byte for byte as spandsp, frame by frame', () => {
    const encoder = new G722Encoder();
    const ours = inFrames(int16('input'), G722_FRAME_SAMPLES, (part) => encoder.encode(part));
    const theirs = [...bytes('encoded')];
    expect(ours.length).toBe(theirs.length);
    expect(ours.findIndex((code, i) => code !== theirs[i])).toBe(-1);
  });

  it('decodes sample for sample as spandsp (but saturates)', () => {
    const decoder = new G722Decoder();
    const ours = inFrames(bytes('encoded'), G722_FRAME_BYTES, (part) => decoder.decode(part));
    // Measured: 491 of 24000 samples wrap in spandsp, all in the full-scale square wave.
    expect(expectSameButSaturated(ours, int16('decoded'))).toBeLessThan(1000);
  });

  it('decodes arbitrary bytes (every code) as spandsp (but saturates)', () => {
    const ours = [...new G722Decoder().decode(bytes('randomBytes'))];
    // Measured: 22 of 8000 samples wrap in spandsp.
    expect(expectSameButSaturated(ours, int16('randomDecoded'))).toBeLessThan(100);
  });

  it('keeps a 6 kHz tone, above the telephone band', () => {
    const encoder = new G722Encoder();
    const decoder = new G722Decoder();
    const tone = toInt16(sine(6000, 16000, 16000, 0.5));
    const decoded = Int16Array.from(inFrames(tone, G722_FRAME_SAMPLES, (part) => decoder.decode(encoder.encode(part))));
    expect(Math.abs(dominantFrequency(decoded.subarray(1600), 16000) - 6000)).toBeLessThanOrEqual(20);
  });

  it('refuses an odd number of samples', () => {
    expect(() => new G722Encoder().encode(new Int16Array(3))).toThrow(/sample pairs/);
  });

  it('costs little per 20 ms frame', () => {
    const encoder = new G722Encoder();
    const decoder = new G722Decoder();
    const frame = toInt16(sine(440, 16000, G722_FRAME_SAMPLES, 0.5));
    const frames = 2000;
    const started = performance.now();
    for (let i = 0; i < frames; i++) decoder.decode(encoder.encode(frame));
    const microseconds = ((performance.now() - started) * 1000) / frames;
    console.log(`G.722 encode + decode: ${microseconds.toFixed(1)} µs per 20 ms frame`);
    // Generous for a shared machine: a 20 ms frame has 20000 µs.
    expect(microseconds).toBeLessThan(5000);
  });
});
