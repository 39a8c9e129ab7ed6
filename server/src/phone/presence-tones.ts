import { encodeG711 } from '@konferenz/sfu';

/** Someone entered the conference, or left it. */
export type PresenceChange = 'entry' | 'exit';

/** The tones as prompts (PromptKey): played like any prompt, in the caller's codec (prompt-frames.ts). */
export const PRESENCE_TONE_KEYS = { entry: 'tones/entry', exit: 'tones/exit' } as const satisfies Record<PresenceChange, string>;
export type PresenceToneKey = (typeof PRESENCE_TONE_KEYS)[PresenceChange];

/** The change whose tone `key` is, or null for any other prompt. */
export function presenceChangeOf(key: string): PresenceChange | null {
  return key === PRESENCE_TONE_KEYS.entry ? 'entry' : key === PRESENCE_TONE_KEYS.exit ? 'exit' : null;
}

const SAMPLE_RATE = 8000;
/** Two notes a fifth apart (D5, A5): rising for an entry, falling for an exit, as conference bridges do. */
const LOW_HZ = 587;
const HIGH_HZ = 880;
const FIRST_NOTE_MS = 120;
const SECOND_NOTE_MS = 150;
/** Fades in and out of each note, so neither starts nor ends with a click. */
const FADE_MS = 10;
/**
 * −26 dBFS peak, about −29 dBFS RMS: a notice, not louder than speech. The spoken prompts
 * (normalised to −4 dBFS peak) average −25 to −28 dBFS RMS, pauses included (presence-tones.spec.ts).
 */
const AMPLITUDE = 0.05 * 32767;

/** One tone as 8 kHz 16-bit samples: 270 ms, two notes. */
export function presenceToneSamples(change: PresenceChange): Int16Array {
  const notes = change === 'entry' ? [LOW_HZ, HIGH_HZ] : [HIGH_HZ, LOW_HZ];
  const lengths = [FIRST_NOTE_MS, SECOND_NOTE_MS].map((ms) => (SAMPLE_RATE * ms) / 1000);
  const samples = new Int16Array(lengths[0]! + lengths[1]!);
  const fade = (SAMPLE_RATE * FADE_MS) / 1000;
  let offset = 0;
  notes.forEach((hz, note) => {
    const length = lengths[note]!;
    for (let index = 0; index < length; index++) {
      const edge = Math.min(index, length - 1 - index);
      const envelope = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
      samples[offset + index] = Math.round(AMPLITUDE * envelope * Math.sin((2 * Math.PI * hz * index) / SAMPLE_RATE));
    }
    offset += length;
  });
  return samples;
}

/** One tone as 8 kHz µ-law, the form PromptLibrary holds prompts in. */
export function presenceToneMulaw(change: PresenceChange): Buffer {
  return Buffer.from(encodeG711('mulaw', presenceToneSamples(change)));
}
