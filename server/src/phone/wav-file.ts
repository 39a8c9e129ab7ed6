import { encodeG711 } from '@konferenz/sfu';

/** An 8 kHz mono prompt as G.711 µ-law bytes, one byte per sample. */
export interface MulawAudio {
  sampleRate: 8000;
  data: Buffer;
}

/**
 * Reads a WAV file holding 8 kHz mono audio, either G.711 µ-law (format 7, as the generated
 * prompts are) or 16-bit PCM (format 1, for prompts recorded elsewhere), into µ-law.
 */
export function readMulawWav(file: Buffer): MulawAudio {
  if (file.length < 12 || file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file');
  }
  let format: { audioFormat: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (body + size > file.length && id !== 'data') throw new Error(`WAV chunk ${id} runs past the end`);
    if (id === 'fmt ') {
      format = {
        audioFormat: file.readUInt16LE(body),
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data before fmt');
      if (format.channels !== 1 || format.sampleRate !== 8000) throw new Error('WAV must be 8 kHz mono');
      const data = file.subarray(body, Math.min(body + size, file.length));
      if (format.audioFormat === 7 && format.bitsPerSample === 8) return { sampleRate: 8000, data: Buffer.from(data) };
      if (format.audioFormat === 1 && format.bitsPerSample === 16) {
        const samples = new Int16Array(data.length >> 1);
        for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2);
        return { sampleRate: 8000, data: Buffer.from(encodeG711('mulaw', samples)) };
      }
      throw new Error(`unsupported WAV format ${format.audioFormat}/${format.bitsPerSample} bit`);
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV without data');
}
