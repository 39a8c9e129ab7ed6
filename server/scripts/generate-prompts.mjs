#!/usr/bin/env node
// Generates the phone menu prompts (server/assets/prompts) from the texts in
// server/src/phone/ivr-prompts.ts with Debian's espeak-ng and sox:
//   apt-get install espeak-ng sox && npm run build -w shared -w sip -w sfu -w server && node server/scripts/generate-prompts.mjs [prompt-id …]
// With prompt ids, only those prompts are written (both languages), the others stay as they are.
// Output: 8 kHz mono G.711 µ-law WAV files, the format the gateway plays without converting.
// The files are committed, so neither tool is needed to run or test the product.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { LANGUAGES } = require('@konferenz/shared');
const { IVR_ENGLISH_HINT, IVR_MAX_SPOKEN_NUMBER, IVR_PROMPT_IDS, IVR_PROMPT_TEXTS } = require('../dist/phone/ivr-prompts.js');

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'prompts');
const work = mkdtempSync(join(tmpdir(), 'konferenz-prompts-'));
/** espeak-ng voices; -s words per minute, a little slower than default for the phone. */
const VOICES = { de: ['-v', 'de', '-s', '150'], en: ['-v', 'en-gb', '-s', '150'] };

function run(command, args) {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function speak(language, text, file) {
  run('espeak-ng', [...VOICES[language], '-w', file, text]);
}

/** Leading and trailing silence trimmed, telephone band, normalised, a short pause after, then µ-law at 8 kHz. */
function toTelephone(inputs, file, pauseAfter = 0.25) {
  mkdirSync(dirname(file), { recursive: true });
  run('sox', [
    ...inputs,
    '-r',
    '8000',
    '-c',
    '1',
    '-e',
    'u-law',
    '-b',
    '8',
    file,
    'silence',
    '1',
    '0.02',
    '0.5%',
    'reverse',
    'silence',
    '1',
    '0.02',
    '0.5%',
    'reverse',
    'gain',
    '-6',
    'highpass',
    '120',
    'lowpass',
    '3400',
    'norm',
    '-4',
    'pad',
    '0',
    String(pauseAfter),
  ]);
}

const only = process.argv.slice(2);
const unknown = only.filter((id) => !IVR_PROMPT_IDS.includes(id));
if (unknown.length) throw new Error(`unknown prompt ids: ${unknown.join(', ')}`);

try {
  for (const language of LANGUAGES) {
    for (const id of only.length ? only : IVR_PROMPT_IDS) {
      const raw = join(work, `${language}-${id}.wav`);
      speak(language, IVR_PROMPT_TEXTS[language][id], raw);
      const inputs = [raw];
      if (language === 'de' && id === 'welcome') {
        const hint = join(work, 'hint.wav');
        speak('en', IVR_ENGLISH_HINT, hint);
        // espeak's voices share one sample rate, so sox can join them as they are.
        inputs.push(hint);
      }
      toTelephone(inputs, join(outDir, language, `${id}.wav`));
    }
    if (only.length) continue;
    for (let n = 2; n <= IVR_MAX_SPOKEN_NUMBER; n++) {
      const raw = join(work, `${language}-n${n}.wav`);
      speak(language, String(n), raw);
      toTelephone([raw], join(outDir, language, 'numbers', `${n}.wav`), 0.1);
    }
  }

  if (only.length) {
    console.log(`${only.join(', ')} written to ${outDir}`);
  } else {
    // Hold music: a slow, quiet plucked arpeggio (C major, A minor, F major, G major), 16 s, looped by the player.
    const notes = [
      [261.63, 329.63, 392.0, 523.25],
      [220.0, 261.63, 329.63, 440.0],
      [174.61, 220.0, 261.63, 349.23],
      [196.0, 246.94, 293.66, 392.0],
    ];
    const parts = [];
    notes.forEach((chord, c) => {
      for (let repeat = 0; repeat < 2; repeat++) {
        chord.forEach((frequency, i) => {
          const part = join(work, `note-${c}-${repeat}-${i}.wav`);
          run('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', part, 'synth', '0.5', 'pluck', String(frequency), 'vol', '0.35', 'fade', '0', '0.5', '0.35']);
          parts.push(part);
        });
      }
    });
    run('sox', [...parts, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', join(outDir, 'hold-music.wav'), 'norm', '-12']);

    const espeakVersion = execFileSync('espeak-ng', ['--version']).toString().trim();
    const soxVersion = execFileSync('sox', ['--version']).toString().trim();
    writeFileSync(join(outDir, 'GENERATED_WITH.txt'), `${espeakVersion}\n${soxVersion}\n`);
    console.log(`prompts written to ${outDir}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
