import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWav, writeWav } from './wav';

describe('WAV files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'konferenz-wav-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('read back what was written, scaled to −1..1', () => {
    const file = join(dir, 'tone.wav');
    writeWav(file, 8000, Int16Array.from([0, 16_384, -32_768, 32_767]));
    expect(readFileSync(file).length).toBe(44 + 8);
    const { sampleRate, samples } = readWav(file);
    expect(sampleRate).toBe(8000);
    expect([...samples]).toEqual([0, 0.5, -1, 32_767 / 32_768]);
  });

  it('are read to the end of the file while the recorder has not yet filled in the data size', () => {
    const file = join(dir, 'growing.wav');
    writeWav(file, 8000, Int16Array.from([100, 200, 300]));
    const growing = readFileSync(file);
    growing.writeUInt32LE(0, 40);
    writeFileSync(file, growing);
    expect(readWav(file).samples).toHaveLength(3);
  });

  it('refuse anything but 16-bit PCM', () => {
    const file = join(dir, 'float.wav');
    writeWav(file, 8000, Int16Array.from([1]));
    const float = readFileSync(file);
    float.writeUInt16LE(32, 34);
    writeFileSync(file, float);
    expect(() => readWav(file)).toThrow(/not 16-bit PCM/);
    writeFileSync(file, 'not a wav at all');
    expect(() => readWav(file)).toThrow(/is not a WAV file/);
  });
});
