import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PromptKey } from './ivr-state-machine';
import { presenceChangeOf, presenceToneMulaw } from './presence-tones';
import { readMulawWav } from './wav-file';

/** server/assets/prompts, from src/phone (ts) and dist/phone (js) alike. */
export const DEFAULT_PROMPT_DIRECTORY = resolve(__dirname, '..', '..', 'assets', 'prompts');

/**
 * The phone menu's recorded prompts, loaded once and kept as G.711 µ-law (8 kHz). Keys are
 * paths below the prompt folder without `.wav` (`de/welcome`, `en/numbers/7`, `hold-music`),
 * and the entry and exit tones, made in code (`tones/entry`, `tones/exit`).
 */
export class PromptLibrary {
  readonly #cache = new Map<string, Buffer>();

  constructor(private readonly directory = DEFAULT_PROMPT_DIRECTORY) {}

  has(key: PromptKey): boolean {
    return this.#cache.has(key) || presenceChangeOf(key) !== null || existsSync(this.#file(key));
  }

  get(key: PromptKey): Buffer {
    let audio = this.#cache.get(key);
    if (!audio) {
      const tone = presenceChangeOf(key);
      audio = tone ? presenceToneMulaw(tone) : readMulawWav(readFileSync(this.#file(key))).data;
      this.#cache.set(key, audio);
    }
    return audio;
  }

  #file(key: string): string {
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(key)) throw new Error(`bad prompt key ${key}`);
    return join(this.directory, `${key}.wav`);
  }
}
