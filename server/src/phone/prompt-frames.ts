import { decodeG711, mulawToAlaw, OpusFrameEncoder } from '@konferenz/sfu';
import type { PromptKey } from './ivr-state-machine';
import type { PromptLibrary } from './prompt-library';
import { AUDIO_CODECS, type AudioCodecName } from '@konferenz/sip';

/** The codecs prompts can be played in. */
export type PromptCodec = Extract<AudioCodecName, 'PCMU' | 'PCMA' | 'opus'>;

export function isPromptCodec(codec: AudioCodecName): codec is PromptCodec {
  return codec === 'PCMU' || codec === 'PCMA' || codec === 'opus';
}

/** RTP clock ticks one frame of `frameMs` covers in `codec` (160 for G.711, 960 for Opus at 20 ms). */
export function promptFrameTicks(codec: PromptCodec, frameMs: number): number {
  return (AUDIO_CODECS[codec].clockRate * frameMs) / 1000;
}

const MULAW_SILENCE = 0xff;
const PROMPT_RATE = 8000;

/**
 * Opus from the 8 kHz prompts as they are, like the bridge encodes G.711 callers: libopus codes
 * 8 kHz input as narrowband SILK, where 48 kHz input (upsampled, nothing above 3.4 kHz) would
 * spend bits on empty bands. Complexity 1 and 20 kbit/s scored best on these very prompts (PESQ,
 * sfu/src/phone/README.md); in-band FEC as the bridge sends it.
 */
function encodeOpus(mulaw: Buffer, frameMs: number): Buffer[] {
  const encoder = new OpusFrameEncoder({ sampleRate: PROMPT_RATE, bitrate: 20_000, complexity: 1 });
  return g711Frames(mulaw, frameMs).map((frame) => encoder.encode(decodeG711('mulaw', frame)));
}

/** µ-law in frames of `frameMs`, the last one filled up with silence. */
function g711Frames(mulaw: Buffer, frameMs: number): Buffer[] {
  const frameBytes = (PROMPT_RATE * frameMs) / 1000;
  const frames: Buffer[] = [];
  for (let offset = 0; offset < mulaw.length; offset += frameBytes) {
    const frame = Buffer.alloc(frameBytes, MULAW_SILENCE);
    mulaw.copy(frame, 0, offset, Math.min(offset + frameBytes, mulaw.length));
    frames.push(frame);
  }
  return frames;
}

const silences = new Map<string, Buffer>();

/** One frame of silence in `codec` (µ-law 0xFF, A-law 0xD5, an Opus frame of zeros), made once per process. */
export function silenceFrame(codec: PromptCodec, frameMs: number): Buffer {
  const id = `${codec}/${frameMs}`;
  let frame = silences.get(id);
  if (!frame) {
    const mulaw = Buffer.alloc((PROMPT_RATE * frameMs) / 1000, MULAW_SILENCE);
    frame = codec === 'PCMU' ? mulaw : codec === 'PCMA' ? mulawToAlaw(mulaw) : encodeOpus(mulaw, frameMs)[0]!;
    silences.set(id, frame);
  }
  return frame;
}

/**
 * Per library (the gateway has one: once per process), every prompt's payloads per codec and
 * frame length, made the first time a call needs them: Opus encoding is too costly to repeat
 * for every call, and hold music loops for as long as a caller waits.
 */
const made = new WeakMap<PromptLibrary, Map<string, readonly Buffer[]>>();

/** The RTP payloads of prompt `key` in `codec`, one per `frameMs` frame. Throws for a missing prompt file. */
export function promptFrames(library: PromptLibrary, key: PromptKey, codec: PromptCodec, frameMs: number): readonly Buffer[] {
  let byKey = made.get(library);
  if (!byKey) {
    byKey = new Map();
    made.set(library, byKey);
  }
  const id = `${codec}/${frameMs}/${key}`;
  let frames = byKey.get(id);
  if (!frames) {
    const mulaw = library.get(key);
    frames = codec === 'opus' ? encodeOpus(mulaw, frameMs) : codec === 'PCMA' ? g711Frames(mulaw, frameMs).map(mulawToAlaw) : g711Frames(mulaw, frameMs);
    byKey.set(id, frames);
  }
  return frames;
}
