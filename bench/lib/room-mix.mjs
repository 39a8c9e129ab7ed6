// The offline half of `npm run bench:phone`: one room of the phone audio bridge, run in this thread on
// a simulated 20 ms clock with the sfu's own classes, loaded from its build (sfu/dist) because they
// are not part of the sfu's API. Synchronous and CPU-bound: for a script, not for a product test.
import { performance } from 'node:perf_hooks';
import { audioLevelOfInt16, SILENT_LEVEL } from '../../sfu/dist/phone/audio-level.js';
import { CallerToConference } from '../../sfu/dist/phone/caller-to-conference.js';
import { encodeG711 } from '../../sfu/dist/phone/g711.js';
import { MixToCaller } from '../../sfu/dist/phone/mix-to-caller.js';
import { OpusFrameEncoder } from '../../sfu/dist/phone/opus-codec.js';
import { PCMU } from '../../sfu/dist/phone/phone-codec.js';
import { RoomMixEngine } from '../../sfu/dist/phone/room-mix-engine.js';
import { audioLevelExtensionValue, parseRtpPacket, serializeRtpPacket } from '../../sfu/dist/phone/rtp-packet.js';

const PAYLOAD_TYPE = 100;
const LEVEL_ID = 1;
const LOOP_FRAMES = 50;
/** A voice's loop of speech: 2 s. */
const SPEECH_FRAMES = 100;
const VOICES = 12;
/** One turn of the room's conversation: 3 s. */
const TURN_FRAMES = 150;

/**
 * One room of PCMU callers and Opus producers, run offline in this thread on
 * a simulated 20 ms clock with the bridges' own classes. The room talks as
 * meetings do: one participant holds the floor for a 3 s turn, the previous
 * one trails 0.4 s into it, and a third chips in for 0.6 s, so 1 to 3 talk
 * at once and everyone else is quiet: a silent caller's line carries noise
 * at about -75 dBov, a silent producer sends Opus silence (no DTX). Each caller's
 * PCMU goes through its CallerToConference (jitter buffer, G.711 decode,
 * Opus encode with a level), that Opus comes back one frame later as the
 * room would forward it to the room's mix (RoomMixEngine: one jitter buffer
 * per stream, the 3 loudest decoded and mixed once), and each caller's
 * MixToCaller sends it its version of the mix as PCMU. No sockets, no
 * mediasoup.
 *
 * Options: `callers` (PCMU callers, each hearing the room); `producers`, browser-less Opus
 * producers besides them (default 2); `frames` to time (default 250, 5 s of audio) after
 * `warmupFrames` untimed ones (default 25: jitter buffers fill, the JIT warms up); `intoRoom`,
 * the callers' paths' `opusComplexity` / `silenceSuppression` when not CallerToConference's defaults.
 *
 * Returns `callers`, `producers`, `frames`; `frameMs` {mean, p50, p99, max}: the whole room's work
 * per frame (every packet's arrival, every caller's path into the room, the mix, every caller's
 * packet); `mix`: the mix's own stats of the timed frames; `intoRoomMsMean`: of the frame, the
 * callers' voices on their way in (PCMU decode, Opus encode); `distinctPayloadsPerFrame`: G.711
 * payloads sent per frame (the mix's variants, shared by the callers hearing the same);
 * `packetsToCallersPerFrame`; `packetsIntoRoomPerFrame` (all callers' Opus packets together);
 * `talkingPerFrame` (callers and producers talking, on average).
 */
export function benchmarkRoomMix(options) {
  const n = options.callers;
  const producers = options.producers ?? 2;
  const frames = options.frames ?? 250;
  const warmup = options.warmupFrames ?? 25;
  const participants = n + producers;
  const engine = new RoomMixEngine();
  const producerVoices = Array.from({ length: producers }, (_, p) => producerVoice(330 + p * 220));
  const producerSilence = { payload: new OpusFrameEncoder({ sampleRate: 48000 }).encode(new Int16Array(960)), level: SILENT_LEVEL };
  const voices = Array.from({ length: VOICES }, (_, v) => speechVoice(v));
  const lineNoise = quietLine();

  let intoRoom = [];
  let intoRoomMs = 0;
  let packetsOut = 0;
  const payloads = new Set();
  const inbound = [];
  for (let i = 0; i < n; i++) {
    const ssrc = 10_000 + i;
    const path = new CallerToConference({
      codec: PCMU,
      conference: { payloadType: PAYLOAD_TYPE, ssrc, audioLevelExtensionId: LEVEL_ID },
      send: (datagram) => intoRoom.push(datagram),
      ...options.intoRoom,
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
      beforeMix: (tick) => {
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

  const times = [];
  let distinctPayloads = 0;
  let packetsIntoRoom = 0;
  let talking = 0;
  for (let frame = 0; frame < warmup + frames; frame++) {
    const nowMs = frame * 20;
    const tick = { index: frame, skipped: 0, nowMs };
    // What arrives from the network this frame, built outside the clock: the callers' PCMU, the producers'
    // Opus, and what the callers' paths sent into the room last frame (as the room forwards it to the mix).
    let talkingNow = 0;
    const pcmu = inbound.map((_, i) => {
      const talks = isTalking(i, frame, participants);
      if (talks) talkingNow++;
      const payload = talks ? voices[i % VOICES][(frame + i * 13) % SPEECH_FRAMES] : lineNoise[(frame + i) % LOOP_FRAMES];
      return serializeRtpPacket({ payloadType: 0, sequenceNumber: frame & 0xffff, timestamp: (frame * 160) >>> 0, ssrc: 500 + i, payload });
    });
    const fromRoom = intoRoom;
    intoRoom = [];
    if (frame >= warmup) packetsIntoRoom += fromRoom.length;
    for (let p = 0; p < producers; p++) {
      const talks = isTalking(n + p, frame, participants);
      if (talks) talkingNow++;
      const { payload, level } = talks ? producerVoices[p][frame % LOOP_FRAMES] : producerSilence;
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
    for (let i = 0; i < n; i++) inbound[i].receive(parseRtpPacket(pcmu[i]), nowMs);
    for (const datagram of fromRoom) engine.receive(parseRtpPacket(datagram), nowMs);
    engine.frame(tick);
    const took = performance.now() - started;

    if (frame >= warmup) {
      times.push(took);
      talking += talkingNow;
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
    // What the paths sent in the frames before, as the room forwards it a frame later.
    packetsIntoRoomPerFrame: packetsIntoRoom / frames,
    talkingPerFrame: talking / frames,
  };
}

/** A second (50 frames) of Opus at 48 kHz, a tone with a syllable-rate wobble, for a browser-less producer. */
function producerVoice(frequency) {
  const encoder = new OpusFrameEncoder({ sampleRate: 48000 });
  const pcm = new Int16Array(960);
  const frames = [];
  for (let f = 0; f < LOOP_FRAMES; f++) {
    for (let i = 0; i < 960; i++) {
      const t = (f * 960 + i) / 48000;
      pcm[i] = Math.round(8000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t)) * Math.sin(2 * Math.PI * frequency * t));
    }
    frames.push({ payload: encoder.encode(pcm), level: audioLevelOfInt16(pcm) });
  }
  return frames;
}

/** Whether participant `p` of `participants` talks in `frame`: the turn's holder, the previous one trailing in, one chipping in. */
function isTalking(p, frame, participants) {
  const turn = Math.floor(frame / TURN_FRAMES);
  const at = frame % TURN_FRAMES;
  if (p === (turn * 7) % participants) return true;
  if (turn > 0 && at < 20 && p === ((turn - 1) * 7) % participants) return true;
  return at >= 60 && at < 90 && p === (turn * 13 + 3) % participants;
}

/**
 * 2 s of 20 ms PCMU payloads of speech-like sound for voice v: a glottal
 * pulse train (its pitch gliding like intonation) through two formant-like
 * resonances, in syllables of about 200 ms with short gaps between words,
 * at an active level near -20 dBov.
 */
function speechVoice(v) {
  const pcm = new Int16Array(160);
  const frames = [];
  const pitchBase = 95 + (v % 6) * 25;
  const formants = [
    { f: 500 + (v % 4) * 120, r: 0.94 },
    { f: 1400 + (v % 5) * 200, r: 0.9 },
  ];
  const state = formants.map(() => ({ y1: 0, y2: 0 }));
  let phase = 0;
  for (let f = 0; f < SPEECH_FRAMES; f++) {
    for (let s = 0; s < 160; s++) {
      const t = (f * 160 + s) / 8000;
      const pitch = pitchBase * (1 + 0.15 * Math.sin(2 * Math.PI * 0.7 * t + v));
      phase += pitch / 8000;
      const pulse = phase >= 1 ? 1 : 0;
      if (phase >= 1) phase -= 1;
      // Syllables at ~5 Hz; every fourth one a pause between words.
      const syllable = Math.floor(t * 5);
      const envelope = (syllable + v) % 4 === 3 ? 0 : Math.sin(Math.PI * ((t * 5) % 1)) ** 2;
      let sample = 0;
      formants.forEach(({ f: frequency, r }, k) => {
        const st = state[k];
        const y = pulse + 2 * r * Math.cos((2 * Math.PI * frequency) / 8000) * st.y1 - r * r * st.y2;
        st.y2 = st.y1;
        st.y1 = y;
        sample += y;
      });
      pcm[s] = Math.max(-32768, Math.min(32767, Math.round(1800 * envelope * sample)));
    }
    frames.push(Buffer.from(encodeG711('mulaw', pcm)));
  }
  return frames;
}

/** A second of a quiet phone line: noise at about -75 dBov, as µ-law carries it. */
function quietLine() {
  const pcm = new Int16Array(160);
  let seed = 1;
  const frames = [];
  for (let f = 0; f < LOOP_FRAMES; f++) {
    for (let s = 0; s < 160; s++) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      pcm[s] = Math.round((seed / 2 ** 32 - 0.5) * 20);
    }
    frames.push(Buffer.from(encodeG711('mulaw', pcm)));
  }
  return frames;
}

function summarize(values) {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}
