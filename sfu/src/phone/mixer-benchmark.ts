import { performance } from 'node:perf_hooks';

import { ConferenceToCaller } from './conference-to-caller';
import { OpusFrameEncoder } from './opus-codec';
import { PCMA, PCMU, type PhoneCodec } from './phone-codec';
import { audioLevelExtensionValue, parseRtpPacket, serializeRtpPacket } from './rtp-packet';

export interface MixerBenchmarkOptions {
  /** Audio streams in the room (other participants). */
  inputs: number;
  /** Frames (20 ms each) to time, after `warmupFrames`. Default 250 (5 s of audio). */
  frames?: number;
  /** Frames run first and not timed (jitter buffers fill, JIT warms up). Default 25. */
  warmupFrames?: number;
  /** How many of the inputs are talking (the rest send silence, level 127). Default all. */
  talkers?: number;
  maxSpeakers?: number;
  /** The caller's codec. Default PCMU. */
  codec?: 'PCMU' | 'PCMA';
}

export interface TimingSummary {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface MixerBenchmarkResult {
  inputs: number;
  frames: number;
  /** Per frame: parsing and buffering one RTP packet of every input, ms. */
  ingestMs: TimingSummary;
  /** Per frame: selecting, decoding, mixing, resampling, encoding and packetizing for the caller, ms. */
  mixMs: TimingSummary;
  /** Both, ms: the share of a 20 ms frame one caller's outbound audio costs. */
  frameMs: TimingSummary;
  /** Opus frames decoded per 20 ms frame, on average (stays near maxSpeakers as inputs grow). */
  decodesPerFrame: number;
}

const VOICES = 8;
const LOOP_FRAMES = 50;

/**
 * Runs one caller's outbound path (ConferenceToCaller: jitter buffers, the
 * N-1 mixer, resampling, G.711, RTP) over `inputs` synthetic Opus streams
 * offline, on a simulated 20 ms clock, and times every frame. The streams
 * carry real Opus (a few tones, encoded once up front) and RFC 6464 levels
 * that change every frame, so speaker selection churns as in a lively room.
 * Synchronous and CPU-bound: run it in a script, not in a test.
 */
export function benchmarkConferenceMixer(options: MixerBenchmarkOptions): MixerBenchmarkResult {
  const inputs = options.inputs;
  const frames = options.frames ?? 250;
  const warmup = options.warmupFrames ?? 25;
  const talkers = Math.min(inputs, options.talkers ?? inputs);
  const codec: PhoneCodec = options.codec === 'PCMA' ? PCMA : PCMU;
  const voices = encodeVoices();

  const path = new ConferenceToCaller({ codec, send: () => undefined, maxSpeakers: options.maxSpeakers });
  const payloadType = 100;
  const levelId = 1;
  for (let i = 0; i < inputs; i++) path.addStream({ ssrc: 1000 + i, payloadType, audioLevelExtensionId: levelId });

  const ingest: number[] = [];
  const mix: number[] = [];
  const decodesBefore = (): number => path.mixer.lastReport.rendered;
  let decodes = 0;
  let random = 12345;
  const nextRandom = (): number => {
    // xorshift: the same "room" every run.
    random ^= random << 13;
    random ^= random >>> 17;
    random ^= random << 5;
    return (random >>> 0) / 0x1_0000_0000;
  };

  for (let frame = 0; frame < warmup + frames; frame++) {
    const nowMs = frame * 20;
    const datagrams: Buffer[] = [];
    for (let i = 0; i < inputs; i++) {
      const level = i < talkers ? Math.floor(20 + nextRandom() * 50) : 127;
      datagrams.push(
        serializeRtpPacket({
          payloadType,
          sequenceNumber: frame & 0xffff,
          timestamp: (frame * 960) >>> 0,
          ssrc: 1000 + i,
          extensions: new Map([[levelId, audioLevelExtensionValue(level, level < 127)]]),
          payload: voices[i % VOICES]![frame % LOOP_FRAMES]!,
        }),
      );
    }
    const t0 = performance.now();
    for (const datagram of datagrams) path.receive(parseRtpPacket(datagram), nowMs);
    const t1 = performance.now();
    path.tick({ index: frame, skipped: 0, nowMs });
    const t2 = performance.now();
    if (frame >= warmup) {
      ingest.push(t1 - t0);
      mix.push(t2 - t1);
      decodes += decodesBefore();
    }
  }
  return {
    inputs,
    frames,
    ingestMs: summarize(ingest),
    mixMs: summarize(mix),
    frameMs: summarize(ingest.map((value, i) => value + mix[i]!)),
    decodesPerFrame: decodes / frames,
  };
}

/** A second of Opus (50 frames) for each of a few voices: tones between 200 and 900 Hz with a syllable-rate wobble. */
function encodeVoices(): Buffer[][] {
  const voices: Buffer[][] = [];
  for (let v = 0; v < VOICES; v++) {
    const encoder = new OpusFrameEncoder({ sampleRate: 48000 });
    const frequency = 200 + v * 100;
    const packets: Buffer[] = [];
    const pcm = new Int16Array(960);
    for (let f = 0; f < LOOP_FRAMES; f++) {
      for (let i = 0; i < 960; i++) {
        const t = (f * 960 + i) / 48000;
        const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
        pcm[i] = Math.round(8000 * envelope * Math.sin(2 * Math.PI * frequency * t));
      }
      packets.push(encoder.encode(pcm));
    }
    voices.push(packets);
  }
  return voices;
}

function summarize(values: number[]): TimingSummary {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}
