import { performance } from 'node:perf_hooks';

import { audioLevelOfInt16 } from './audio-level';
import { CallerToConference } from './caller-to-conference';
import type { FrameTick } from './frame-clock';
import { encodeG711 } from './g711';
import { MixToCaller } from './mix-to-caller';
import { OpusFrameEncoder } from './opus-codec';
import { PCMU } from './phone-codec';
import { RoomMixEngine, type RoomMixStats } from './room-mix-engine';
import { audioLevelExtensionValue, parseRtpPacket, serializeRtpPacket } from './rtp-packet';

export interface RoomMixBenchmarkOptions {
  /** PCMU callers in the room, each hearing the room. */
  callers: number;
  /** Browser-less Opus producers in the room besides the callers. Default 2. */
  producers?: number;
  /** Frames (20 ms each) to time, after `warmupFrames`. Default 250 (5 s of audio). */
  frames?: number;
  /** Frames run first and not timed (jitter buffers fill, JIT warms up). Default 25. */
  warmupFrames?: number;
}

export interface TimingSummary {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RoomMixBenchmarkResult {
  callers: number;
  producers: number;
  frames: number;
  /** The whole room's work per 20 ms frame, ms: every packet's arrival, every caller's path into the room, the mix, every caller's packet. */
  frameMs: TimingSummary;
  /** The mix's own view of the timed frames (its frame work, without the packets' arrival). */
  mix: RoomMixStats;
  /** Of the frame, the callers' voices on their way into the room (PCMU decode, Opus encode), ms per frame on average. */
  intoRoomMsMean: number;
  /** Distinct G.711 payloads sent per frame: the variants of the mix, shared by all callers hearing the same. */
  distinctPayloadsPerFrame: number;
  packetsToCallersPerFrame: number;
}

const PAYLOAD_TYPE = 100;
const LEVEL_ID = 1;
const LOOP_FRAMES = 50;

/**
 * One room of PCMU callers and Opus producers, run offline in this thread on
 * a simulated 20 ms clock with the bridges' own classes: each caller's
 * PCMU goes through its CallerToConference (jitter buffer, G.711 decode,
 * Opus encode with a level), that Opus comes back one frame later as the
 * room would forward it to the room's mix (RoomMixEngine: one jitter buffer
 * per stream, the 3 loudest decoded and mixed once), and each caller's
 * MixToCaller sends it its version of the mix as PCMU. No sockets, no
 * mediasoup. Synchronous and CPU-bound: run it in a script, not in a test.
 */
export function benchmarkRoomMix(options: RoomMixBenchmarkOptions): RoomMixBenchmarkResult {
  const n = options.callers;
  const producers = options.producers ?? 2;
  const frames = options.frames ?? 250;
  const warmup = options.warmupFrames ?? 25;
  const engine = new RoomMixEngine();
  const producerVoices = Array.from({ length: producers }, (_, p) => producerVoice(330 + p * 220));
  const callerVoices = Array.from({ length: n }, (_, i) => callerVoice(i));

  let intoRoom: Buffer[] = [];
  let intoRoomMs = 0;
  let packetsOut = 0;
  const payloads = new Set<Uint8Array>();
  const inbound: CallerToConference[] = [];
  for (let i = 0; i < n; i++) {
    const ssrc = 10_000 + i;
    const path = new CallerToConference({
      codec: PCMU,
      conference: { payloadType: PAYLOAD_TYPE, ssrc, audioLevelExtensionId: LEVEL_ID },
      send: (datagram) => intoRoom.push(datagram),
    });
    inbound.push(path);
    engine.addStream({ id: `caller-${i}`, ssrc, payloadType: PAYLOAD_TYPE, audioLevelExtensionId: LEVEL_ID });
    const outbound = new MixToCaller({
      codec: PCMU,
      send: () => packetsOut++,
    });
    engine.addListener({
      ownStreamId: `caller-${i}`,
      narrowband: true,
      hearsRoom: true,
      beforeMix: (tick: FrameTick) => {
        const started = performance.now();
        path.tick(tick);
        intoRoomMs += performance.now() - started;
      },
      play: (tick, variant) => {
        outbound.play(tick, variant);
        // The payload the caller's packet carries: the same array for every caller hearing this variant.
        payloads.add(variant.g711('mulaw'));
      },
    });
  }
  for (let p = 0; p < producers; p++) {
    engine.addStream({ id: `producer-${p}`, ssrc: 20_000 + p, payloadType: PAYLOAD_TYPE, audioLevelExtensionId: LEVEL_ID });
  }

  const times: number[] = [];
  let distinctPayloads = 0;
  for (let frame = 0; frame < warmup + frames; frame++) {
    const nowMs = frame * 20;
    const tick: FrameTick = { index: frame, skipped: 0, nowMs };
    // What arrives from the network this frame, built outside the clock: the callers' PCMU, the producers'
    // Opus, and what the callers' paths sent into the room last frame (as the room forwards it to the mix).
    const pcmu = callerVoices.map((voice, i) =>
      serializeRtpPacket({ payloadType: 0, sequenceNumber: frame & 0xffff, timestamp: (frame * 160) >>> 0, ssrc: 500 + i, payload: voice[frame % LOOP_FRAMES]! }),
    );
    const fromRoom = intoRoom;
    intoRoom = [];
    for (let p = 0; p < producers; p++) {
      const { payload, level } = producerVoices[p]![frame % LOOP_FRAMES]!;
      fromRoom.push(
        serializeRtpPacket({
          payloadType: PAYLOAD_TYPE,
          sequenceNumber: frame & 0xffff,
          timestamp: (frame * 960) >>> 0,
          ssrc: 20_000 + p,
          extensions: new Map([[LEVEL_ID, audioLevelExtensionValue(level, level < 127)]]),
          payload,
        }),
      );
    }
    if (frame === warmup) {
      engine.takeStats();
      intoRoomMs = 0;
    }
    payloads.clear();

    const started = performance.now();
    for (let i = 0; i < n; i++) inbound[i]!.receive(parseRtpPacket(pcmu[i]!), nowMs);
    for (const datagram of fromRoom) engine.receive(parseRtpPacket(datagram), nowMs);
    engine.frame(tick);
    const took = performance.now() - started;

    if (frame >= warmup) {
      times.push(took);
      distinctPayloads += payloads.size;
    }
    if (frame === warmup - 1) packetsOut = 0;
  }
  return {
    callers: n,
    producers,
    frames,
    frameMs: summarize(times),
    mix: engine.takeStats(),
    intoRoomMsMean: intoRoomMs / frames,
    distinctPayloadsPerFrame: distinctPayloads / frames,
    packetsToCallersPerFrame: packetsOut / frames,
  };
}

/** A second (50 frames) of Opus at 48 kHz, a tone with a syllable-rate wobble, for a browser-less producer. */
function producerVoice(frequency: number): Array<{ payload: Buffer; level: number }> {
  const encoder = new OpusFrameEncoder({ sampleRate: 48000 });
  const pcm = new Int16Array(960);
  const frames: Array<{ payload: Buffer; level: number }> = [];
  for (let f = 0; f < LOOP_FRAMES; f++) {
    for (let i = 0; i < 960; i++) {
      const t = (f * 960 + i) / 48000;
      pcm[i] = Math.round(8000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t)) * Math.sin(2 * Math.PI * frequency * t));
    }
    frames.push({ payload: encoder.encode(pcm), level: audioLevelOfInt16(pcm) });
  }
  return frames;
}

/** 20 ms PCMU payloads (a second, looped) for caller i: a tone, silent 40 % of the time at staggered moments so speakers change. */
function callerVoice(i: number): Buffer[] {
  const pcm = new Int16Array(160);
  const frames: Buffer[] = [];
  const frequency = 250 + (i % 12) * 60;
  for (let f = 0; f < LOOP_FRAMES; f++) {
    const talking = (f + i * 7) % LOOP_FRAMES < 30;
    for (let s = 0; s < 160; s++) {
      const t = (f * 160 + s) / 8000;
      pcm[s] = talking ? Math.round(6000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t)) * Math.sin(2 * Math.PI * frequency * t)) : 0;
    }
    frames.push(Buffer.from(encodeG711('mulaw', pcm)));
  }
  return frames;
}

function summarize(values: number[]): TimingSummary {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}
