import { readFileSync, writeFileSync } from 'node:fs';

/**
 * WAV files for browsers' fake microphones and from softphones' recordings, without sox or
 * ffmpeg at test time.
 */

/** 16-bit PCM audio, samples scaled to −1..1. */
export interface Recording {
  sampleRate: number;
  samples: Float32Array;
}

/** Writes `samples` as a mono 16-bit PCM WAV file. */
export function writeWav(file: string, sampleRate: number, samples: Int16Array): void {
  const buffer = Buffer.alloc(44 + samples.length * 2);
  buffer.write('RIFF', 0);
  buffer.writeUInt32LE(36 + samples.length * 2, 4);
  buffer.write('WAVEfmt ', 8);
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36);
  buffer.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) buffer.writeInt16LE(samples[i]!, 44 + i * 2);
  writeFileSync(file, buffer);
}

/**
 * Reads a 16-bit PCM WAV (mono, or the first channel). A data chunk whose size is 0 or runs past
 * the end (a file still being written) is taken to the end of the file.
 */
export function readWav(file: string): Recording {
  const data = readFileSync(file);
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file} is not a WAV file`);
  let offset = 12;
  let sampleRate = 0;
  let channels = 1;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const format = data.readUInt16LE(body);
      channels = data.readUInt16LE(body + 2);
      sampleRate = data.readUInt32LE(body + 4);
      const bits = data.readUInt16LE(body + 14);
      if ((format !== 1 && format !== 0xfffe) || bits !== 16) throw new Error(`${file}: not 16-bit PCM (format ${format}, ${bits} bits)`);
    } else if (id === 'data') {
      const end = size === 0 || body + size > data.length ? data.length : body + size;
      const frames = Math.floor((end - body) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = data.readInt16LE(body + i * 2 * channels) / 32768;
      return { sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file} has no data chunk`);
}
