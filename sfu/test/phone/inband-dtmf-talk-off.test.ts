import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { decodeG711, encodeG711 } from '../../src/phone/g711';
import { InbandDtmfDetector } from '../../src/phone/inband-dtmf-detector';

/**
 * Talk-off: speech (espeak-ng, German and English voices) and synthesized
 * music through µ-law into the detector must not produce keys. The speech is
 * generated once and cached in the temp folder (espeak-ng writes 22.05 kHz;
 * it is band-limited and resampled to 8 kHz here).
 */
const RATE = 8000;
const CACHE = join(tmpdir(), 'konferenz-talk-off-v1');

const GERMAN = [
  'Willkommen in der Konferenz. Bitte geben Sie die Raumnummer ein, gefolgt von der Raute.',
  'Die Sitzung beginnt um neun Uhr dreißig, der Bericht des Vorstands folgt nach der Pause.',
  'Können Sie mich hören? Ich bin gerade im Zug und die Verbindung ist schlecht.',
  'Siebenhundertsiebenundsiebzig, achthundertzweiundfünfzig, neunhunderteinundvierzig.',
  'Hallo, hallo! Ja, genau, wir sprechen morgen über das Budget und die neuen Stellen.',
  'Ach so, das wusste ich nicht. Mmmh, ja, ich schicke Ihnen die Unterlagen gleich per Mail.',
  'Eins, zwei, drei, vier, fünf, sechs, sieben, acht, neun, null, Stern, Raute.',
  'Der Wetterbericht: sonnig mit einzelnen Wolken, am Nachmittag Schauer, Höchstwerte um zwölf Grad.',
];
const ENGLISH = [
  'Welcome to the conference. Please enter the room number followed by the hash key.',
  'The quarterly numbers look good, but we need to talk about the shipping delays in March.',
  'Can you hear me now? Hello? I think you are breaking up, let me call you back.',
  'Seven hundred seventy, eight hundred fifty two, nine hundred forty one, twelve oh nine.',
  'Oh, wow, that is really interesting. Yes, yes, absolutely, I agree with everything you said.',
  'Hmm, uh, let me think about it. Okay, so the plan is to ship on Friday, right?',
  'One, two, three, four, five, six, seven, eight, nine, zero, star, pound.',
  'She sells sea shells by the sea shore, and the shells she sells are surely sea shells.',
];
/** Voices and variants: male and female, different pitch and speed, so the partials sweep across the key frequencies. */
const VOICES = ['de', 'de+f2', 'de+m3', 'de+f4', 'en', 'en-us+f3', 'en+m7', 'en-gb-x-rp+f1'];

/** espeak-ng's 22.05 kHz mono 16-bit WAV, the data chunk's samples. */
function wavSamples(file: Buffer): Int16Array {
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'data') {
      const end = Math.min(file.length, offset + 8 + size);
      return new Int16Array(file.buffer.slice(file.byteOffset + offset + 8, file.byteOffset + end - ((end - offset - 8) % 2)));
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('no data chunk in the WAV file');
}

/** Band-limited resampling (Hann-windowed sinc, cut-off 3.6 kHz) from `fromRate` to 8 kHz. */
function resampleTo8k(input: Int16Array, fromRate: number): Float64Array {
  const step = fromRate / RATE;
  const cutoff = 3600 / fromRate;
  const half = 24;
  const output = new Float64Array(Math.floor(input.length / step));
  for (let n = 0; n < output.length; n++) {
    const t = n * step;
    const centre = Math.floor(t);
    let sum = 0;
    for (let k = centre - half + 1; k <= centre + half; k++) {
      if (k < 0 || k >= input.length) continue;
      const x = t - k;
      const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      sum += input[k]! * sinc * (0.5 + 0.5 * Math.cos((Math.PI * x) / half));
    }
    output[n] = sum;
  }
  return output;
}

/** ≥ 15 minutes of speech at 8 kHz, as linear 16-bit, cached across runs. */
function speech(): Int16Array {
  const cached = join(CACHE, 'speech-8k.raw');
  if (existsSync(cached)) {
    const raw = readFileSync(cached);
    return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  mkdirSync(CACHE, { recursive: true });
  const parts: Float64Array[] = [];
  let seconds = 0;
  for (let round = 0; seconds < 16 * 60; round++) {
    for (const [index, voice] of VOICES.entries()) {
      const sentences = voice.startsWith('de') ? GERMAN : ENGLISH;
      // Rotate the sentences and vary speed and pitch per round, so no two passes are alike.
      const text = sentences.map((_, i) => sentences[(i + round + index) % sentences.length]).join(' ');
      const speed = String(130 + ((round * 37 + index * 11) % 90));
      const pitch = String((round * 23 + index * 17) % 100);
      const wav = execFileSync('espeak-ng', ['-v', voice, '-s', speed, '-p', pitch, '--stdout', text], { maxBuffer: 1 << 28 });
      const samples = resampleTo8k(wavSamples(wav), 22050);
      parts.push(samples);
      seconds += samples.length / RATE;
    }
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Int16Array(total);
  let at = 0;
  for (const part of parts) {
    for (let n = 0; n < part.length; n++) joined[at + n] = Math.max(-32768, Math.min(32767, Math.round(part[n]!)));
    at += part.length;
  }
  writeFileSync(cached, Buffer.from(joined.buffer));
  return joined;
}

/** A random generator with a seed, so the music is the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Five and a half minutes of music: three-note chords of harmonic-rich tones
 * (organ-like 1/k partials) under a melody with vibrato, equal temperament
 * around A4, notes of 100–600 ms, with attack and decay.
 */
function music(): Int16Array {
  const random = seeded(4733);
  const length = Math.round(5.5 * 60 * RATE);
  const out = new Float64Array(length);
  const noteHz = (semitones: number): number => 440 * 2 ** (semitones / 12);
  const addNote = (start: number, samples: number, hz: number, amplitude: number, vibrato: number): void => {
    let phase = 0;
    for (let n = 0; n < samples && start + n < length; n++) {
      const t = n / RATE;
      const envelope = Math.min(1, n / 80) * Math.exp((-2 * n) / samples);
      phase += (2 * Math.PI * hz * (1 + vibrato * Math.sin(2 * Math.PI * 5.5 * t))) / RATE;
      let value = 0;
      for (let k = 1; k <= 6 && k * hz < 3800; k++) value += Math.sin(k * phase) / k;
      out[start + n]! += amplitude * envelope * value;
    }
  };
  for (let at = 0; at < length;) {
    const chordSamples = Math.round((0.4 + random() * 1.2) * RATE);
    const root = Math.floor(random() * 24) - 12;
    for (const interval of [0, 4, 7]) addNote(at, chordSamples, noteHz(root + interval - 12), 2500, 0);
    for (let melody = at; melody < at + chordSamples;) {
      const noteSamples = Math.round((0.1 + random() * 0.5) * RATE);
      addNote(melody, noteSamples, noteHz(root + Math.floor(random() * 24)), 4000, 0.006);
      melody += noteSamples;
    }
    at += chordSamples;
  }
  return Int16Array.from(out, (x) => Math.max(-32768, Math.min(32767, Math.round(x))));
}

/** Through A-law (as a caller's phone would send it) into a fresh detector, in 10 ms chunks. */
function falseKeys(audio: Int16Array): number[] {
  const decoded = decodeG711('alaw', encodeG711('alaw', audio));
  const keys: number[] = [];
  const detector = new InbandDtmfDetector((key) => keys.push(key));
  for (let i = 0; i < decoded.length; i += 80) detector.push(decoded.subarray(i, i + 80));
  return keys;
}

describe('in-band DTMF talk-off', () => {
  it('takes no keys from 15 minutes of German and English speech nor from 5 minutes of music', { timeout: 600_000 }, () => {
    const voice = speech();
    const tunes = music();
    expect(voice.length / RATE).toBeGreaterThanOrEqual(15 * 60);
    const speechKeys = falseKeys(voice);
    const musicKeys = falseKeys(tunes);
    const perHour = (keys: number[], samples: number): number => (keys.length * 3600 * RATE) / samples;
    console.log(
      `talk-off: speech ${(voice.length / RATE / 60).toFixed(1)} min, ${speechKeys.length} false keys (${perHour(speechKeys, voice.length).toFixed(1)}/h); ` +
        `music ${(tunes.length / RATE / 60).toFixed(1)} min, ${musicKeys.length} false keys (${perHour(musicKeys, tunes.length).toFixed(1)}/h)`,
    );
    expect(speechKeys).toEqual([]);
    expect(musicKeys).toEqual([]);
  });
});
