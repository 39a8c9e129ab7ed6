#!/usr/bin/env node
// npm run bench:phone — CPU cost of the phone audio bridge per caller: offline (the sfu's classes on
// a simulated clock) and live (the product with sipp callers, bench/phone-live.mjs).
// Prints one JSON line on stdout; progress goes to stderr. See bench/README.md.
import { performance } from 'node:perf_hooks';
import { bootstrap } from '../scripts/bootstrap.mjs';
import { measureLive } from './phone-live.mjs';

// Like `npm start`: install and build what is missing (the offline half loads sfu/dist).
bootstrap({ forTests: true });
let benchmarkRoomMix;
try {
  ({ benchmarkRoomMix } = await import('./lib/room-mix.mjs'));
} catch (error) {
  console.error(`bench:phone: cannot load the sfu's phone classes from sfu/dist (rebuild the sfu: \`npm run build -w sfu\`): ${error.message}`);
  process.exit(1);
}

const envInt = (name, fallback) => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const SIZES = (process.env.BENCH_PHONE_SIZES ?? '10,25,50,100,200')
  .split(',')
  .map((s) => Number.parseInt(s, 10))
  .filter((n) => n > 0);
const FRAMES = envInt('BENCH_PHONE_FRAMES', 250); // 5 s of audio per measurement
const WARMUP = envInt('BENCH_PHONE_WARMUP', 25);
const REPEATS = envInt('BENCH_PHONE_REPEATS', 3);
const SEARCH_FRAMES = envInt('BENCH_PHONE_SEARCH_FRAMES', 150);
const MAX_CALLERS = 1000;
const PRODUCERS = 2; // browser-less (Opus) producers in the room besides the callers
const BUDGET_MS = 5;
const FRAME_S = 0.02;
// The callers' paths into the room as they are (CallerToConference's defaults), and as they were before
// (Opus complexity 5, every frame encoded and sent), measured side by side in the same run.
const CONFIGURATIONS = {
  current: {
    intoRoom: undefined,
    describe: { opus_complexity: 1, silence_suppression: 'frames at or below -70 dBov not encoded or sent after 200 ms hangover, one kept every 400 ms' },
  },
  baseline: { intoRoom: { opusComplexity: 5, silenceSuppression: false }, describe: { opus_complexity: 5, silence_suppression: false } },
};

const log = (...args) => console.error('[bench:phone]', ...args);
const round = (value, digits = 3) => Number(value.toFixed(digits));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const runRoom = (n, frames, configuration) =>
  benchmarkRoomMix({ callers: n, producers: PRODUCERS, frames, warmupFrames: WARMUP, intoRoom: CONFIGURATIONS[configuration].intoRoom });

/** One room of n callers in each configuration, runs alternating between them; each figure is the median over the runs. */
function measurePair(n, frames, repeats) {
  const runs = { current: [], baseline: [] };
  for (let r = 0; r < repeats; r++) for (const configuration of Object.keys(runs)) runs[configuration].push(runRoom(n, frames, configuration));
  return { current: summarizeRuns(n, frames, runs.current), baseline: summarizeRuns(n, frames, runs.baseline) };
}

function summarizeRuns(n, frames, runs) {
  const repeats = runs.length;
  const m = (pick) => median(runs.map(pick));
  const roomMean = m((run) => run.frameMs.mean);
  const intoRoom = m((run) => run.intoRoomMsMean);
  return {
    callers: n,
    frames,
    runs: repeats,
    cpu_ms_per_caller_per_audio_s: round(roomMean / n / FRAME_S),
    cpu_pct_of_core_per_caller: round((roomMean / n / (FRAME_S * 1000)) * 100),
    room_cpu_pct_of_core: round((roomMean / (FRAME_S * 1000)) * 100, 2),
    room_frame_ms: {
      mean: round(roomMean),
      p50: round(m((run) => run.frameMs.p50)),
      p99: round(m((run) => run.frameMs.p99)),
      max: round(m((run) => run.frameMs.max)),
    },
    // The callers' G.711 -> Opus transcoding into the room, and the rest (packet arrivals, the mix, every caller's packet).
    into_room_ms_per_frame: round(intoRoom),
    mix_and_packets_ms_per_frame: round(roomMean - intoRoom),
    decodes_per_frame: round(m((run) => run.mix.decodesPerFrame)),
    distinct_pcmu_payloads_per_frame: round(
      m((run) => run.distinctPayloadsPerFrame),
      2,
    ),
    packets_to_callers_per_frame: round(
      m((run) => run.packetsToCallersPerFrame),
      2,
    ),
    packets_into_room_per_frame: round(
      m((run) => run.packetsIntoRoomPerFrame),
      2,
    ),
    talking_per_frame: round(
      m((run) => run.talkingPerFrame),
      2,
    ),
  };
}

const started = performance.now();
log(`node ${process.version}, ${FRAMES} frames (+${WARMUP} warm-up) x ${REPEATS} runs per size and configuration, sizes ${SIZES.join(', ')}`);
const rooms = [];
const baselineRooms = [];
for (const n of SIZES) {
  const { current, baseline } = measurePair(n, FRAMES, REPEATS);
  log(
    `N=${n}: ${current.cpu_ms_per_caller_per_audio_s} ms CPU per caller per audio s (baseline ${baseline.cpu_ms_per_caller_per_audio_s}), room frame p99 ${current.room_frame_ms.p99} ms (baseline ${baseline.room_frame_ms.p99})`,
  );
  rooms.push(current);
  baselineRooms.push(baseline);
}

// Largest N whose room frame p99 stays under the budget: double from 10 until it fails (or reaches the cap), then bisect.
function searchMaxCallers(configuration) {
  const searched = [];
  const passes = (n) => {
    const room = summarizeRuns(
      n,
      SEARCH_FRAMES,
      Array.from({ length: REPEATS }, () => runRoom(n, SEARCH_FRAMES, configuration)),
    );
    searched.push({ callers: n, room_frame_ms_p99: room.room_frame_ms.p99 });
    log(`search ${configuration} N=${n}: room frame p99 ${room.room_frame_ms.p99} ms`);
    return room.room_frame_ms.p99 < BUDGET_MS;
  };
  let low = 0;
  let high = MAX_CALLERS + 1;
  for (let n = 10; ; n = Math.min(MAX_CALLERS, n * 2)) {
    if (!passes(n)) {
      high = n;
      break;
    }
    low = n;
    if (n === MAX_CALLERS) break;
  }
  while (high - low > 1 && high <= MAX_CALLERS) {
    const mid = Math.floor((low + high) / 2);
    if (passes(mid)) low = mid;
    else high = mid;
  }
  return { max: low, searched };
}
const search = searchMaxCallers('current');
const baselineSearch = searchMaxCallers('baseline');
const ratio = (a, b) => (b > 0 ? round(a / b, 3) : null);

const at100 = rooms.find((room) => room.callers === 100);
const offline = {
  measured:
    "offline room simulation in one thread on a simulated 20 ms clock with the sfu classes: n PCMU callers (CallerToConference: PCMU in -> Opus into the room, silent frames not sent in the current configuration) and 2 Opus producers; ONE room mix (RoomMixEngine: a jitter buffer per stream, the 3 loudest decoded and mixed once, each caller its version: the mix or the mix without its own voice, PCMU encoded once per version) and each caller's RTP (MixToCaller); whole room timed per frame, medians over runs. No sockets, no mediasoup, no SIP, no sipp",
  node: process.version,
  frames_per_size: FRAMES,
  runs_per_size: REPEATS,
  producers: PRODUCERS,
  p99_budget_ms: BUDGET_MS,
  callers_talk:
    "as in a meeting: one participant (of callers and producers) holds the floor for a 3 s turn, the previous one trails 0.4 s into it, a third chips in for 0.6 s: 1-3 talking at once (talking_per_frame); talking callers send speech-like PCMU (pitch-gliding pulse train through two resonances, ~5 syllables/s, gaps between words, ~-20 dBov), quiet callers a phone line's noise at about -75 dBov; quiet producers send Opus silence (no DTX)",
  configuration: CONFIGURATIONS.current.describe,
  rooms,
  max_callers_one_core_p99_under_5ms: search.max,
  max_callers_cap: MAX_CALLERS,
  max_callers_search: search.searched,
  baseline: {
    configuration: CONFIGURATIONS.baseline.describe,
    rooms: baselineRooms,
    max_callers_one_core_p99_under_5ms: baselineSearch.max,
    max_callers_search: baselineSearch.searched,
  },
  // Same run, same rooms: current / baseline.
  vs_baseline: {
    rooms: rooms.map((room, i) => ({
      callers: room.callers,
      cpu_per_caller_per_audio_s: ratio(room.cpu_ms_per_caller_per_audio_s, baselineRooms[i].cpu_ms_per_caller_per_audio_s),
      room_frame_ms_p50: ratio(room.room_frame_ms.p50, baselineRooms[i].room_frame_ms.p50),
      room_frame_ms_p99: ratio(room.room_frame_ms.p99, baselineRooms[i].room_frame_ms.p99),
      into_room_ms_per_frame: ratio(room.into_room_ms_per_frame, baselineRooms[i].into_room_ms_per_frame),
    })),
    max_callers_one_core_p99_under_5ms: ratio(search.max, baselineSearch.max),
  },
  anchors: {
    pjsip_100_pcmu_calls_mix_pct_of_core: 0.9,
    ours_100_callers_room_cpu_pct_of_core: at100 ? at100.room_cpu_pct_of_core : null,
    freeswitch_opus_pcmu_participant_cpu_pct: '4-5',
    ours_cpu_pct_per_caller_at_100: at100 ? at100.cpu_pct_of_core_per_caller : null,
    note: 'published anchors are other software on other hardware, quoted for scale only; pjsip figure is processing only, FreeSWITCH figure is whole-process',
  },
};

let live = null;
if (process.env.BENCH_PHONE_LIVE === '0') {
  console.error('[bench:phone] BENCH_PHONE_LIVE=0: live half skipped');
} else {
  try {
    live = await measureLive();
  } catch (error) {
    if (error.exitCode === 130) process.exit(130);
    console.error(`[bench:phone] live half failed: ${error.message}`);
    live = { error: error.message };
  }
}
process.stdout.write(`${JSON.stringify({ bench: 'phone', offline, live, run_s: round((performance.now() - started) / 1000, 1) })}\n`);
