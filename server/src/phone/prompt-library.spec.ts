import { LANGUAGES } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { IVR_MAX_SPOKEN_NUMBER, IVR_PROMPT_IDS } from './ivr-prompts';
import { PromptLibrary } from './prompt-library';
import { readMulawWav } from './wav-file';

describe('prompt files', () => {
  const library = new PromptLibrary();

  it('exist for every prompt, language and spoken number, as 8 kHz µ-law', () => {
    for (const language of LANGUAGES) {
      for (const id of IVR_PROMPT_IDS) expect(library.get(`${language}/${id}`).length, `${language}/${id}`).toBeGreaterThan(4000);
      for (let n = 2; n <= IVR_MAX_SPOKEN_NUMBER; n++) expect(library.has(`${language}/numbers/${n}`), `${language}/numbers/${n}`).toBe(true);
    }
    expect(library.get('hold-music').length).toBe(16 * 8000);
  });

  it('refuses keys that could leave the prompt folder', () => {
    expect(() => library.get('../../package' as 'hold-music')).toThrow(/bad prompt key/);
  });

  it('reads 16-bit PCM WAV files too', () => {
    const samples = 4;
    const wav = Buffer.alloc(44 + samples * 2);
    wav.write('RIFF', 0, 'latin1');
    wav.writeUInt32LE(36 + samples * 2, 4);
    wav.write('WAVEfmt ', 8, 'latin1');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(16000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36, 'latin1');
    wav.writeUInt32LE(samples * 2, 40);
    expect([...readMulawWav(wav).data]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(() => readMulawWav(Buffer.from('not a wav file at all'))).toThrow();
  });
});
