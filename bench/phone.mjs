#!/usr/bin/env node
// npm run bench:phone — CPU cost of the phone audio bridge per caller (offline part only).
// Prints one JSON line on stdout; progress goes to stderr. See bench/README.md.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let phone;
try {
  phone = require(path.join(root, 'sfu/dist/phone/index.js'));
} catch (error) {
  console.error(`bench:phone: cannot load sfu/dist/phone (run \`npm run build\` first): ${error.message}`);
  process.exit(1);
}
const {
  benchmarkConferenceMixer, CallerToConference, ConferenceToCaller, OpusFrameEncoder, PCMU,
  audioLevelExtensionValue, audioLevelOfInt16, encodeG711, parseRtpPacket, serializeRtpPacket,
} = phone;

const envInt = (name, fallback) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const SIZES = (process.env.BENCH_PHONE_SIZES ?? '10,25,50,100,200').split(',').map((s) => Number.parseInt(s, 10)).filter((n) => n > 0);
const FRAMES = envInt('BENCH_PHONE_FRAMES', 250); // 5 s of audio per measurement
const WARMUP = envInt('BENCH_PHONE_WARMUP', 25);
const PRODUCERS = 2; // browser-less (Opus) producers in the room besides the callers
const BUDGET_MS = 5;
const FRAME_S = 0.02;

const log = (...args) => console.error('[bench:phone]', ...args);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
const round = (value, digits = 4) => Number(value.toFixed(digits));

/** A second (50 frames) of Opus at 48 kHz, a tone with a syllable-rate wobble, for a browser-less producer. */
function producerVoice(frequency) {
  const encoder = new OpusFrameEncoder({ sampleRate: 48000 });
  const pcm = new Int16Array(960);
  const frames = [];
  for (let f = 0; f < 50; f++) {
    for (let i = 0; i < 960; i++) {
      const t = (f * 960 + i) / 48000;
      pcm[i] = Math.round(8000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t)) * Math.sin(2 * Math.PI * frequency * t));
    }
    frames.push({ payload: encoder.encode(pcm), level: audioLevelOfInt16(pcm) });
  }
  return frames;
}

/** 20 ms PCMU payloads (one second, looped) for caller i: a tone, silent for part of the time so speakers change. */
function callerVoice(i) {
  const pcm = new Int16Array(160);
  const frames = [];
  const frequency = 250 + (i % 12) * 60;
  for (let f = 0; f < 50; f++) {
    const talking = (f + i * 7) % 50 < 30;
    for (let s = 0; s < 160; s++) {
      const t = (f * 160 + s) / 8000;
      pcm[s] = talking ? Math.round(6000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t)) * Math.sin(2 * Math.PI * frequency * t)) : 0;
    }
    frames.push(Buffer.from(encodeG711('mulaw', pcm)));
  }
  return frames;
}

/**
 * One room, run offline on a simulated 20 ms clock in this one thread: n PCMU callers and
 * PRODUCERS Opus producers. Every frame, each caller's inbound path (CallerToConference: PCMU
 * jitter buffer, G.711 decode, Opus encode) turns one PCMU packet into an Opus packet with an
 * RFC 6464 level; then each caller's outbound path (ConferenceToCaller) receives the Opus packets
 * of the n-1 other callers and the producers and mixes the 3 loudest into PCMU. The whole frame
 * (all 2n paths) is timed: that is what the product's one event loop must do every 20 ms.
 */
function measureRoom(n) {
  const frames = n >= 100 ? Math.min(FRAMES, 100) : FRAMES;
  const payloadType = 100;
  const levelId = 1;
  const producers = Array.from({ length: PRODUCERS }, (_, p) => producerVoice(330 + p * 220));
  const voices = Array.from({ length: n }, (_, i) => callerVoice(i));
  const inbound = [];
  const outbound = [];
  let outPackets = 0;
  for (let i = 0; i < n; i++) {
    const conference = { payloadType, ssrc: 10_000 + i, audioLevelExtensionId: levelId };
    const sent = [];
    inbound.push({ path: new CallerToConference({ codec: PCMU, conference, send: (d) => sent.push(d) }), sent });
    const out = new ConferenceToCaller({ codec: PCMU, send: () => { outPackets++; } });
    for (let j = 0; j < n; j++) if (j !== i) out.addStream({ ssrc: 10_000 + j, payloadType, audioLevelExtensionId: levelId });
    for (let p = 0; p < PRODUCERS; p++) out.addStream({ ssrc: 20_000 + p, payloadType, audioLevelExtensionId: levelId });
    outbound.push(out);
  }
  const times = [];
  for (let frame = 0; frame < WARMUP + frames; frame++) {
    const nowMs = frame * 20;
    const tick = { index: frame, skipped: 0, nowMs };
    // What arrives from the network this frame (built outside the clock).
    const pcmu = voices.map((voice, i) =>
      serializeRtpPacket({ payloadType: 0, sequenceNumber: frame & 0xffff, timestamp: (frame * 160) >>> 0, ssrc: 500 + i, payload: voice[frame % 50] }),
    );
    const producerPackets = producers.map((voice, p) => {
      const { payload, level } = voice[frame % 50];
      return serializeRtpPacket({
        payloadType,
        sequenceNumber: frame & 0xffff,
        timestamp: (frame * 960) >>> 0,
        ssrc: 20_000 + p,
        extensions: new Map([[levelId, audioLevelExtensionValue(level, level < 127)]]),
        payload,
      });
    });
    for (const entry of inbound) entry.sent.length = 0;

    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      inbound[i].path.receive(parseRtpPacket(pcmu[i]), nowMs);
      inbound[i].path.tick(tick);
    }
    for (let i = 0; i < n; i++) {
      const out = outbound[i];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        for (const datagram of inbound[j].sent) out.receive(parseRtpPacket(datagram), nowMs);
      }
      for (const datagram of producerPackets) out.receive(parseRtpPacket(datagram), nowMs);
      out.tick(tick);
    }
    const t1 = performance.now();
    if (frame >= WARMUP) times.push(t1 - t0);
  }
  // Cross-check with the sfu's own one-caller benchmark (outbound path only, synthetic levels).
  const single = benchmarkConferenceMixer({ inputs: n - 1 + PRODUCERS, frames: Math.min(frames, 100), warmupFrames: WARMUP, codec: 'PCMU' });
  const roomMean = mean(times);
  const perCaller = roomMean / n;
  return {
    callers: n,
    frames,
    cpu_ms_per_caller_per_audio_s: round(perCaller / FRAME_S, 3),
    cpu_pct_of_core_per_caller: round((perCaller / (FRAME_S * 1000)) * 100, 3),
    room_cpu_pct_of_core: round((roomMean / (FRAME_S * 1000)) * 100, 2),
    room_frame_ms: { mean: round(roomMean, 3), p50: round(quantile(times, 0.5), 3), p99: round(quantile(times, 0.99), 3), max: round(Math.max(...times), 3) },
    room_pcmu_packets_to_callers_per_frame: round(outPackets / (WARMUP + frames), 2),
    mixer_benchmark_one_caller_outbound_ms_mean: round(single.frameMs.mean, 4),
  };
}

const started = performance.now();
log(`node ${process.version}, ${FRAMES} frames (+${WARMUP} warm-up) per size, sizes ${SIZES.join(', ')}`);
const rooms = [];
for (const n of SIZES) {
  const room = measureRoom(n);
  log(`N=${n}: ${room.cpu_ms_per_caller_per_audio_s} ms CPU per caller per audio s, room frame p99 ${room.room_frame_ms.p99} ms`);
  rooms.push(room);
}

// Largest N with an (estimated) room frame p99 under the budget: bisect between the grid points.
const passes = (room) => room.room_frame_ms.p99 < BUDGET_MS;
let low = 0;
let high = Number.POSITIVE_INFINITY;
for (const room of rooms) {
  if (passes(room)) low = Math.max(low, room.callers);
  else high = Math.min(high, room.callers);
}
if (!Number.isFinite(high)) high = low * 2 + 1; // every grid size passed: search one doubling further
const searched = [];
while (high - low > 1 && searched.length < 10) {
  const mid = Math.floor((low + high) / 2);
  const room = measureRoom(mid);
  searched.push({ callers: mid, room_frame_ms_p99: room.room_frame_ms.p99 });
  log(`search N=${mid}: room frame p99 ${room.room_frame_ms.p99} ms`);
  if (passes(room)) low = mid;
  else high = mid;
}

const at100 = rooms.find((room) => room.callers === 100);
const result = {
  bench: 'phone',
  live: false,
  measured:
    'offline room simulation in one thread on a simulated 20 ms clock: n PCMU callers (CallerToConference: PCMU in -> Opus out) and 2 Opus producers; every caller gets its own N-1 mix of the 3 loudest (ConferenceToCaller -> PCMU); whole room timed per frame. No sockets, no mediasoup, no SIP, no sipp',
  node: process.version,
  frames_per_size: FRAMES,
  producers: PRODUCERS,
  p99_budget_ms: BUDGET_MS,
  rooms,
  max_callers_one_core_p99_under_5ms: low,
  max_callers_search: searched,
  anchors: {
    pjsip_100_pcmu_calls_mix_pct_of_core: 0.9,
    ours_100_callers_room_cpu_pct_of_core: at100 ? at100.room_cpu_pct_of_core : null,
    freeswitch_opus_pcmu_participant_cpu_pct: '4-5',
    ours_cpu_pct_per_caller_at_100: at100 ? at100.cpu_pct_of_core_per_caller : null,
    note: 'published anchors are other software on other hardware, quoted for scale only; pjsip figure is processing only, FreeSWITCH figure is whole-process',
  },
  run_s: round((performance.now() - started) / 1000, 1),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
