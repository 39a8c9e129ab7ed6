import { decodeG711 } from '@konferenz/sfu';
import { goertzelPower } from '@konferenz/testing/tone-power';
import { describe, expect, it } from 'vitest';
import { PromptLibrary } from './prompt-library';
import { PRESENCE_TONE_KEYS, presenceChangeOf, presenceToneMulaw, presenceToneSamples } from './presence-tones';

const RATE = 8000;

/** Which of the two notes is the stronger in each half of the tone. */
function notes(samples: Int16Array): number[] {
  const half = Math.floor(samples.length / 2);
  return [samples.subarray(0, half), samples.subarray(half)].map((part) => (goertzelPower(part, 587, RATE) > goertzelPower(part, 880, RATE) ? 587 : 880));
}

function rmsDb(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! ** 2;
  return 10 * Math.log10(sum / samples.length / 32768 ** 2);
}

describe('presence tones', () => {
  it('rise for an entry and fall for an exit, 270 ms each', () => {
    for (const change of ['entry', 'exit'] as const) expect(presenceToneSamples(change)).toHaveLength(0.27 * RATE);
    expect(notes(presenceToneSamples('entry'))).toEqual([587, 880]);
    expect(notes(presenceToneSamples('exit'))).toEqual([880, 587]);
  });

  it('start and end in silence (no click) and stay quieter than the spoken prompts', () => {
    const tone = presenceToneSamples('entry');
    expect(Math.abs(tone[0]!)).toBe(0);
    expect(Math.abs(tone.at(-1)!)).toBeLessThan(100);
    expect(Math.max(...tone.map(Math.abs))).toBeLessThan(0.06 * 32768);
    const library = new PromptLibrary();
    for (const prompt of ['de/conference-starts', 'en/muted'] as const) {
      expect(rmsDb(presenceToneSamples('entry'))).toBeLessThan(rmsDb(decodeG711('mulaw', library.get(prompt))));
    }
  });

  it('are prompts of the library, in the µ-law the recordings are kept in', () => {
    const library = new PromptLibrary();
    expect(library.has(PRESENCE_TONE_KEYS.exit)).toBe(true);
    expect(library.get(PRESENCE_TONE_KEYS.exit)).toEqual(presenceToneMulaw('exit'));
    expect(notes(decodeG711('mulaw', library.get(PRESENCE_TONE_KEYS.entry)))).toEqual([587, 880]);
    expect(presenceChangeOf('tones/entry')).toBe('entry');
    expect(presenceChangeOf('de/welcome')).toBeNull();
  });
});
