import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { decodeG711, encodeG711, mulawToAlaw, type G711Law } from '../../src/phone/g711';
import { dominantFrequency, sine, toInt16, toneAmplitude } from './support/audio';

/** G.711 as CPython 3.11's audioop (Sun's reference g711.c) computes it; see fixtures/make-g711-reference.py. */
const reference = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'g711-reference.json'), 'utf8')) as {
  mulawDecode: number[];
  alawDecode: number[];
  mulawEncodeStep4: string;
  alawEncodeStep8: string;
};

const laws: Array<{ law: G711Law; decode: number[]; encode: Buffer; step: number }> = [
  { law: 'mulaw', decode: reference.mulawDecode, encode: Buffer.from(reference.mulawEncodeStep4, 'base64'), step: 4 },
  { law: 'alaw', decode: reference.alawDecode, encode: Buffer.from(reference.alawEncodeStep8, 'base64'), step: 8 },
];

describe.each(laws)('G.711 $law', ({ law, decode, encode, step }) => {
  it('decodes every code to the reference value', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...decodeG711(law, codes)]).toEqual(decode);
  });

  it('encodes like the reference, and otherwise to a neighbouring code at a tie or segment boundary', () => {
    const inputs = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const codes = encodeG711(law, inputs);
    const levels = [...new Set(decode)].sort((a, b) => a - b);
    let differing = 0;
    for (let i = 0; i < inputs.length; i++) {
      const expected = encode[Math.floor(i / step)]!;
      if (codes[i] === expected) continue;
      differing++;
      // The two codes are adjacent quantization levels, and the library's is no
      // further from the input than one step of its own segment.
      const ours = decode[codes[i]!]!;
      const theirs = decode[expected]!;
      expect(Math.abs(levels.indexOf(ours) - levels.indexOf(theirs))).toBe(1);
      const at = levels.indexOf(ours);
      const neighbours = [levels[at - 1], levels[at + 1]].filter((level): level is number => level !== undefined);
      const segmentStep = Math.max(...neighbours.map((level) => Math.abs(level - ours)));
      expect(Math.abs(ours - inputs[i]!)).toBeLessThanOrEqual(segmentStep / 2);
    }
    // Measured: µ-law 381 inputs (127 boundaries of 3), A-law 127 (one per boundary).
    expect(differing / inputs.length).toBeLessThan(0.01);
  });

  it('round-trips a 1 kHz tone with telephone quality (SNR > 30 dB)', () => {
    const tone = toInt16(sine(1000, 8000, 8000, 0.5));
    const decoded = decodeG711(law, encodeG711(law, tone));
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < tone.length; i++) {
      signal += tone[i]! ** 2;
      noise += (tone[i]! - decoded[i]!) ** 2;
    }
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(30);
    expect(dominantFrequency(decoded, 8000)).toBe(1000);
    expect(toneAmplitude(decoded, 1000, 8000) / 32767).toBeCloseTo(0.5, 1);
  });
});

describe('mulawToAlaw', () => {
  it('turns each µ-law code into the A-law code of the same sample, silence into silence', () => {
    expect([...mulawToAlaw(Uint8Array.of(0xff, 0x7f))]).toEqual([0xd5, 0xd5]);
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const samples = decodeG711('mulaw', codes);
    expect([...mulawToAlaw(codes)]).toEqual([...encodeG711('alaw', samples)]);
  });
});
