import { decodeG711, G722Encoder, mulawToAlaw, OpusFrameEncoder, Upsampler } from '@konferenz/sfu';
import type { PromptKey } from './ivr-state-machine';
import type { PromptLibrary } from './prompt-library';
import { AUDIO_CODECS, type AudioCodecName } from '@konferenz/sip';

/** RTP clock ticks one frame of `frameMs` covers in `codec` (160 for G.711 and G.722 (RFC 3551's 8 kHz clock), 960 for Opus at 20 ms). */
export function promptFrameTicks(codec: AudioCodecName, frameMs: number): number {
  return (AUDIO_CODECS[codec].clockRate * frameMs) / 1000;
}

const MULAW_SILENCE = 0xff;
const PROMPT_RATE = 8000;
const G722_RATE = 16000;

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

/**
 * G.722 from the 8 kHz prompts, upsampled to 16 kHz (nothing above 4 kHz to add). One encoder
 * per prompt: a G.722 encoder adapts as it goes, so a prompt's frames only decode right in order
 * from its start. Between prompts the caller's decoder hears a new encoder's history; the prompts
 * begin and end in silence, over which the encoder and the decoder both settle to their start
 * state, so the seam is inaudible.
 */
function encodeG722(mulaw: Buffer, frameMs: number): Buffer[] {
  const upsampler = new Upsampler(PROMPT_RATE, G722_RATE);
  const encoder = new G722Encoder();
  return g711Frames(mulaw, frameMs).map((frame) => {
    const narrow = Float32Array.from(decodeG711('mulaw', frame), (sample) => sample / 32768);
    const wide = upsampler.process(narrow);
    return Buffer.from(encoder.encode(Int16Array.from(wide, (sample) => Math.max(-32768, Math.min(32767, Math.round(sample * 32768))))));
  });
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

/** One frame of silence in `codec` (µ-law 0xFF, A-law 0xD5, a G.722 or Opus frame of zeros), made once per process. */
export function silenceFrame(codec: AudioCodecName, frameMs: number): Buffer {
  const id = `${codec}/${frameMs}`;
  let frame = silences.get(id);
  if (!frame) {
    frame = framesIn(codec, Buffer.alloc((PROMPT_RATE * frameMs) / 1000, MULAW_SILENCE), frameMs)[0]!;
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
export function promptFrames(library: PromptLibrary, key: PromptKey, codec: AudioCodecName, frameMs: number): readonly Buffer[] {
  let byKey = made.get(library);
  if (!byKey) {
    byKey = new Map();
    made.set(library, byKey);
  }
  const id = `${codec}/${frameMs}/${key}`;
  let frames = byKey.get(id);
  if (!frames) {
    const mulaw = library.get(key);
    frames = framesIn(codec, mulaw, frameMs);
    byKey.set(id, frames);
  }
  return frames;
}

function framesIn(codec: AudioCodecName, mulaw: Buffer, frameMs: number): Buffer[] {
  if (codec === 'opus') return encodeOpus(mulaw, frameMs);
  if (codec === 'G722') return encodeG722(mulaw, frameMs);
  return codec === 'PCMA' ? g711Frames(mulaw, frameMs).map(mulawToAlaw) : g711Frames(mulaw, frameMs);
}
