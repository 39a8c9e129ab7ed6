import { describe, expect, it } from 'vitest';

import { Downsampler, Upsampler } from '../../src/phone/resampler';
import { db, rms, sine, toneAmplitude } from './support/audio';

/** Runs a resampler over `seconds` of a sine in 20 ms frames and returns the output after the filter settled. */
function through(resampler: Downsampler | Upsampler, inRate: number, frequency: number, seconds = 0.5): Float32Array {
  const frame = inRate / 50;
  const frames = Math.round(seconds * 50);
  const outFrame = resampler instanceof Downsampler ? frame / resampler.factor : frame * resampler.factor;
  const out = new Float32Array(frames * outFrame);
  for (let f = 0; f < frames; f++) {
    out.set(resampler.process(sine(frequency, inRate, frame, 0.5, f * frame)), f * outFrame);
  }
  // Skip 100 ms: the filter's delay (a few ms) and start-up.
  return out.subarray((out.length / frames) * 5);
}

describe('Downsampler 48 kHz -> 8 kHz', () => {
  it('turns 20 ms into 20 ms: 960 samples in, 160 out', () => {
    expect(new Downsampler(48000, 8000).process(new Float32Array(960))).toHaveLength(160);
  });

  it.each([300, 1000, 3000, 3300])('passes %i Hz with less than 1 dB loss', (frequency) => {
    const out = through(new Downsampler(48000, 8000), 48000, frequency);
    expect(Math.abs(db(toneAmplitude(out, frequency, 8000) / 0.5))).toBeLessThan(1);
  });

  it.each([4200, 5000, 7000, 12000])('attenuates %i Hz (which would alias into the band) by more than 40 dB', (frequency) => {
    const out = through(new Downsampler(48000, 8000), 48000, frequency);
    expect(db(rms(out) / (0.5 / Math.SQRT2))).toBeLessThan(-40);
  });

  it('gives the same samples in 20 ms frames as in one go', () => {
    const signal = sine(440, 48000, 4800, 0.3);
    const whole = new Downsampler(48000, 8000).process(signal);
    const framed = new Downsampler(48000, 8000);
    const pieces: number[] = [];
    for (let i = 0; i < signal.length; i += 960) pieces.push(...framed.process(signal.subarray(i, i + 960)));
    expect(pieces.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(pieces[i]).toBeCloseTo(whole[i]!, 6);
  });

  it('refuses input that is not a whole number of output samples', () => {
    expect(() => new Downsampler(48000, 8000).process(new Float32Array(961))).toThrow(RangeError);
    expect(() => new Downsampler(44100, 8000)).toThrow(RangeError);
  });
});

describe('Upsampler 8 kHz -> 48 kHz', () => {
  it('turns 160 samples into 960', () => {
    expect(new Upsampler(8000, 48000).process(new Float32Array(160))).toHaveLength(960);
  });

  it.each([300, 1000, 3300])('passes %i Hz with less than 1 dB loss', (frequency) => {
    const out = through(new Upsampler(8000, 48000), 8000, frequency);
    expect(Math.abs(db(toneAmplitude(out, frequency, 48000) / 0.5))).toBeLessThan(1);
  });

  it('leaves no image of a 1 kHz tone above 4 kHz (7, 9, 15, 17 kHz below -40 dB)', () => {
    const out = through(new Upsampler(8000, 48000), 8000, 1000);
    for (const image of [7000, 9000, 15000, 17000]) expect(db(toneAmplitude(out, image, 48000) / 0.5)).toBeLessThan(-40);
  });
});

describe('16 kHz (G.722 later)', () => {
  it('passes 1 kHz and 6.5 kHz and stops 9 kHz going down from 48 kHz', () => {
    expect(Math.abs(db(toneAmplitude(through(new Downsampler(48000, 16000), 48000, 1000), 1000, 16000) / 0.5))).toBeLessThan(1);
    expect(Math.abs(db(toneAmplitude(through(new Downsampler(48000, 16000), 48000, 6500), 6500, 16000) / 0.5))).toBeLessThan(1);
    expect(db(rms(through(new Downsampler(48000, 16000), 48000, 9000)) / (0.5 / Math.SQRT2))).toBeLessThan(-40);
  });

  it('passes 1 kHz going up to 48 kHz without images', () => {
    const out = through(new Upsampler(16000, 48000), 16000, 1000);
    expect(Math.abs(db(toneAmplitude(out, 1000, 48000) / 0.5))).toBeLessThan(1);
    expect(db(toneAmplitude(out, 15000, 48000) / 0.5)).toBeLessThan(-40);
  });
});
