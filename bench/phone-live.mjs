#!/usr/bin/env node
// The live half of `npm run bench:phone`: the real product (as in bench:join) with one room, two
// phone producers and then N sipp callers that dial in with RFC 4733 keys and talk PCMU; the
// server's CPU time per caller per second of audio over a steady window, the mixer's own frame
// times from its `phone-mix-stats` log line, the largest N whose frame p99 stays under 5 ms, and
// how long a signalling request takes meanwhile (the mix runs on PHONE_MIX_THREADS threads).
// `measureLive(options)` returns the results; run directly, it prints them as one JSON line on
// stdout (progress on stderr). See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ANSWER_BYE, dialogHeaders, inviteAndAck, scenario } from '@konferenz/testing/sipp-scenario';
import { Workspace, canIsolate, customerRoom, forwardServerLine, onlyLoopback, repoRoot, sleep, spawnIsolated, startProduct } from './lib/product.mjs';
import { dialTimeline, lineNoisePcm, pcmuFrames, speechLikePcm, speechTimeline, writeRtpPcap } from './lib/rtp-pcap.mjs';

const log = (...parts) => console.error('[bench:phone live]', ...parts);

const MODERATOR_PIN = '583920';
const PARTICIPANT_PIN = '740215';
const BUDGET_MS = 5;
/** The server logs its mix stats every 10 s, each line about the 10 s before it. */
const MIX_STATS_PERIOD_MS = 10_000;
const PRODUCERS = 2;

const DEFAULT_OPTIONS = {
  /** Callers per measured room, smallest first. */
  sizes: [10, 25, 50, 100],
  /** The steady window: two of the server's 10 s mix-stats periods. */
  windowS: 20,
  /** After the last caller is in, before the window starts (jitter buffers settle, menus finish). */
  settleS: 3,
  /** New calls per second while a size dials in. */
  callRate: 10,
  /** Speech in each caller's pcap, looped by the scenario: longer than dialling in plus the window, so no stream restarts inside it. */
  speechS: 90,
  /** One core: the server process may use up to this share of a core before the sizes stop growing. */
  cpuBudgetPct: 100,
  /** Measure every size even after one went over budget (a look past the limit, or past noise). */
  allSizes: false,
  /**
   * What the N callers send: 'listening' (an idle line's noise; the two producers talk, as in a
   * meeting where a few speak and the phones listen) or 'talking' (all N speak the same speech-like
   * signal in step: the worst case, every caller transcoded all the time).
   */
  callers: 'listening',
  /** The server's PHONE_MIX_THREADS: 1 (the default) mixes beside the main thread, 0 on it. */
  mixThreads: 1,
  /** A signalling request (Socket.IO, answered by the main thread) every this many ms during each window. */
  probeIntervalMs: 100,
  ports: { http: 3500, db: 27518, smtp: 1525, mailWeb: 1580, rtc: 40500, sip: 5560, media: 16000 },
};

/** Settings from BENCH_PHONE_LIVE_* variables, over the defaults. */
function optionsFromEnv(env = process.env) {
  const options = structuredClone(DEFAULT_OPTIONS);
  if (env.BENCH_PHONE_LIVE_SIZES) options.sizes = env.BENCH_PHONE_LIVE_SIZES.split(',').map(Number);
  if (env.BENCH_PHONE_LIVE_WINDOW_S) options.windowS = Number(env.BENCH_PHONE_LIVE_WINDOW_S);
  if (env.BENCH_PHONE_LIVE_SETTLE_S) options.settleS = Number(env.BENCH_PHONE_LIVE_SETTLE_S);
  if (env.BENCH_PHONE_LIVE_CALL_RATE) options.callRate = Number(env.BENCH_PHONE_LIVE_CALL_RATE);
  if (env.BENCH_PHONE_LIVE_CPU_BUDGET_PCT) options.cpuBudgetPct = Number(env.BENCH_PHONE_LIVE_CPU_BUDGET_PCT);
  if (env.BENCH_PHONE_LIVE_ALL_SIZES) options.allSizes = env.BENCH_PHONE_LIVE_ALL_SIZES === '1';
  if (env.BENCH_PHONE_LIVE_CALLERS) options.callers = env.BENCH_PHONE_LIVE_CALLERS;
  if (env.BENCH_PHONE_LIVE_MIX_THREADS) options.mixThreads = Number(env.BENCH_PHONE_LIVE_MIX_THREADS);
  if (env.BENCH_PHONE_LIVE_PORT) options.ports.http = Number(env.BENCH_PHONE_LIVE_PORT);
  if (env.BENCH_PHONE_LIVE_SIP_PORT) options.ports.sip = Number(env.BENCH_PHONE_LIVE_SIP_PORT);
  return options;
}

function checkOptions(options) {
  const { sizes, windowS } = options;
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('sizes must be positive whole numbers');
  if (!(windowS >= 1)) throw new Error('windowS must be at least 1');
  if (!['listening', 'talking'].includes(options.callers)) throw new Error("callers must be 'listening' or 'talking'");
  if (!Number.isInteger(options.mixThreads) || options.mixThreads < 0) throw new Error('mixThreads must be a whole number ≥ 0');
}

// ---------------------------------------------------------------------------------------------
// Entry: into a private network namespace (as bench:join), or here.
// ---------------------------------------------------------------------------------------------

const thisFile = fileURLToPath(import.meta.url);

/**
 * Runs the live measurement and resolves with its results. As root outside a network namespace
 * it re-runs this file inside `unshare -n` (loopback only) and reads the child's JSON line, so
 * that a caller importing it (bench/phone.mjs) gets the isolation too.
 */
export async function measureLive(options = {}) {
  const fromEnv = optionsFromEnv();
  const settings = { ...fromEnv, ...options, ports: { ...fromEnv.ports, ...options.ports } };
  checkOptions(settings);
  if (process.env.KONFERENZ_BENCH_CHILD || onlyLoopback()) return measureHere(settings);
  // Like `npm start`: install and build what is missing first, while the network is still there.
  const { bootstrap } = await import('../scripts/bootstrap.mjs');
  bootstrap({ forTests: true });
  if (process.env.BENCH_NO_NETNS !== '1' && canIsolate()) return measureInNamespace(settings);
  log(
    process.env.BENCH_NO_NETNS === '1'
      ? 'BENCH_NO_NETNS=1: running on the host loopback'
      : 'cannot create a network namespace (needs root and unshare): running on the host loopback',
  );
  return measureHere(settings);
}

function measureInNamespace(settings) {
  const child = spawnIsolated(thisFile, [], { stdio: ['ignore', 'pipe', 'inherit'], env: { BENCH_PHONE_LIVE_OPTIONS: JSON.stringify(settings) } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      const line = output.trim().split('\n').at(-1);
      if (code === 0 && line) resolve(JSON.parse(line));
      else if (code === 130) reject(Object.assign(new Error('stopped'), { exitCode: 130 }));
      else reject(new Error(`the measurement in the network namespace failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function measureHere(settings) {
  const workspace = new Workspace('konferenz-bench-phone-', log);
  const stopListening = workspace.cleanupOnSignals();
  try {
    return await run(settings, workspace);
  } finally {
    await workspace.cleanup();
    stopListening();
  }
}

// ---------------------------------------------------------------------------------------------
// CPU time from /proc.
// ---------------------------------------------------------------------------------------------

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** comm, ppid and utime+stime (ms) of a process, or null once it is gone. */
function processStat(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm, ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS };
}

function mediasoupWorkers(serverPid) {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const stat = processStat(pid);
      return stat?.ppid === serverPid && stat.comm.startsWith('mediasoup-work');
    });
}

/** All cores' busy time (ms), to show how loaded the shared machine was. */
function machineBusyMs() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return ((ticks.slice(0, 8).reduce((sum, value) => sum + value, 0) - idle) * 1000) / CLOCK_TICKS;
}

function cpuSnapshot(serverPid, otherPids) {
  const cpuOf = (pids) => pids.reduce((sum, pid) => sum + (processStat(pid)?.cpuMs ?? 0), 0);
  return {
    at: performance.now(),
    server: processStat(serverPid).cpuMs,
    workers: cpuOf(mediasoupWorkers(serverPid)),
    sipp: cpuOf(otherPids),
    machine: machineBusyMs(),
  };
}

/** Share of one core over the time between two snapshots, per part. */
function cpuBetween(start, end) {
  const wallMs = end.at - start.at;
  const pct = (key) => round(((end[key] - start[key]) / wallMs) * 100, 1);
  return { wallMs, server: pct('server'), workers: pct('workers'), sipp: pct('sipp'), machine: pct('machine') };
}

// ---------------------------------------------------------------------------------------------
// The server's mix-stats lines.
// ---------------------------------------------------------------------------------------------

const MIX_STATS = /phone-mix-stats (\{.*\})/;
const ANSI_ESCAPES = /\x1b\[[0-9;]*m/g;

/**
 * Collects `phone-mix-stats {...}` lines with the time they arrived, counts lines (logging at
 * debug level costs the server CPU too), and forwards the server's warnings and errors.
 */
function serverOutput() {
  const mixStats = [];
  const counter = { lines: 0 };
  // A message over several lines has the level only on its first.
  let level = null;
  const onLine = (line) => {
    counter.lines++;
    const plain = line.replace(ANSI_ESCAPES, '');
    const match = MIX_STATS.exec(plain);
    if (match) {
      try {
        mixStats.push({ at: performance.now(), ...JSON.parse(match[1]) });
      } catch {
        log('unreadable mix stats:', line);
      }
      return;
    }
    // At LOG_LEVEL=debug every call and FerretDB's every request log; only what went wrong is worth showing.
    if (plain.startsWith('[Nest]')) level = /^\[Nest\] \d+\s+-\s+.*?\s(LOG|ERROR|WARN|DEBUG|VERBOSE)\s/.exec(plain)?.[1] ?? null;
    if (!level || level === 'WARN' || level === 'ERROR') forwardServerLine(line);
  };
  return { mixStats, counter, onLine };
}

/** The mix-stats lines whose 10 s lie inside [from, to] (performance.now() times). */
function mixStatsWithin(lines, from, to) {
  const slack = 500;
  return lines.filter((line) => line.at - MIX_STATS_PERIOD_MS >= from - slack && line.at <= to + slack);
}

function summarizeMix(lines) {
  if (!lines.length) return null;
  const p99s = lines.map((line) => line.p99Ms);
  return {
    windows: lines.length,
    callers_reported: [...new Set(lines.map((line) => line.callers))],
    streams_reported: [...new Set(lines.map((line) => line.streams))],
    frames: lines.reduce((sum, line) => sum + line.frames, 0),
    p50_ms: round(median(lines.map((line) => line.p50Ms)), 3),
    p99_ms: round(median(p99s), 3),
    p99_ms_worst_window: round(Math.max(...p99s), 3),
    max_ms: round(Math.max(...lines.map((line) => line.maxMs)), 3),
    decodes_per_frame: round(median(lines.map((line) => line.decodesPerFrame)), 2),
  };
}

// ---------------------------------------------------------------------------------------------
// The room as a browser-less observer sees it.
// ---------------------------------------------------------------------------------------------

/**
 * The bench's own seat in the conference: a moderator without media, over Socket.IO. It sees how
 * many phones are admitted with their microphone producer up and who the active speakers are (the
 * room's audio-level observer can only pick callers whose RTP gets through their bridge), and it
 * ends the conference, which makes the gateway hang up every call.
 */
async function joinAsModerator(baseURL, roomNumber) {
  const response = await fetch(`${baseURL}/api/conference/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Konferenz-CSRF': '1' },
    body: JSON.stringify({ roomNumber, pin: MODERATOR_PIN, displayName: 'Bench' }),
  });
  if (!response.ok) throw new Error(`the bench's join answered ${response.status}: ${await response.text()}`);
  const { token } = await response.json();
  const { io } = await import('socket.io-client');
  const socket = io(`${baseURL}/conference`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const seat = {
    state: null,
    speakers: new Set(),
    /** Phones admitted with their microphone producer up. */
    phonesOn: () => seat.state?.participants.filter((p) => p.via === 'phone' && p.microphone === 'on') ?? [],
    async end() {
      const result = await socket.timeout(10_000).emitWithAck('moderator:end', {});
      if (!result?.ok) throw new Error(`moderator:end: ${JSON.stringify(result?.error ?? result)}`);
      socket.close();
    },
    close: () => socket.close(),
    /** One signalling round trip: a request the conference gateway answers on the server's main thread. */
    async requestMs() {
      const sent = performance.now();
      await socket.timeout(5_000).emitWithAck('media:rtpCapabilities', {});
      return performance.now() - sent;
    },
  };
  socket.on('conference:state', (state) => (seat.state = state));
  socket.on('media:activeSpeaker', ({ participantId }) => participantId && seat.speakers.add(participantId));
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return seat;
}

async function waitFor(condition, timeoutMs, pollMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(pollMs);
  }
  return condition();
}

// ---------------------------------------------------------------------------------------------
// Callers: pcaps, scenario, sipp.
// ---------------------------------------------------------------------------------------------

/**
 * One caller's audio as two pcaps: `dial` (silence, then room number, '#', PIN, '#' as RFC 4733
 * events) and `speech` (speechS seconds of a speech-like PCMU signal, continuing the same RTP
 * stream). The scenario plays `dial` once and then `speech` in a loop.
 */
function callerAudio(dir, name, { keys, pitchHz, speechS, encodeMulaw, listening = false }) {
  const dial = dialTimeline(keys, 0x4b00_0000 + pitchHz);
  const speech = speechTimeline(pcmuFrames(listening ? lineNoisePcm() : speechLikePcm(pitchHz), encodeMulaw), speechS, dial);
  const files = { dial: join(dir, `${name}-dial.pcap`), speech: join(dir, `${name}-speech.pcap`) };
  writeRtpPcap(files.dial, dial);
  writeRtpPcap(files.speech, speech);
  return { ...files, dialMs: dial.durationMs, speechMs: speech.durationMs };
}

/**
 * A phone (From +4930<line><call number>: the gateway limits calls per caller id) that dials in
 * by playing the audio's dial pcap after the ACK and then its speech pcap over and over, until
 * the gateway hangs up (the bench ends the conference after each size). sipp 3.6.1 cannot be told to end its calls from outside (SIGUSR1
 * and -timeout only stop new calls), so after `maxLoops` speech pcaps the caller hangs up by
 * itself: that only happens if the bench died without cleaning up.
 */
function dialInScenario(audio, maxLoops, line) {
  const headers = dialogHeaders(`+4930${line}[call_number]`);
  return scenario(
    'bench-phone-caller',
    `${inviteAndAck(headers, 'PCMU', ['a=fmtp:101 0-15', 'a=ptime:20'])}
  <nop><action>
    <exec play_pcap_audio="${audio.dial}"/>
    <assign assign_to="loops" value="0"/>
  </action></nop>
  <recv request="BYE" timeout="${audio.dialMs}" ontimeout="talk" next="hung-up"/>
  <label id="talk"/>
  <nop><action>
    <exec play_pcap_audio="${audio.speech}"/>
    <add assign_to="loops" value="1"/>
    <test assign_to="again" variable="loops" compare="less_than" value="${maxLoops}"/>
  </action></nop>
  <recv request="BYE" timeout="${audio.speechMs}" ontimeout="played" next="hung-up"/>
  <label id="played"/>
  <nop next="talk" test="again"/>
  <send retrans="500"><![CDATA[
      BYE [next_url] SIP/2.0${headers}
      CSeq: 2 BYE
      Content-Length: 0

  ]]></send>
  <recv response="200" next="done"/>
  <label id="hung-up"/>${ANSWER_BYE}
  <label id="done"/>
  <nop/>`,
  );
}

/** One sipp process placing `calls` calls at `rate` per second; its statistics go to files in `dir`. */
function startSipp({ workspace, dir, name, scenario, calls, rate, sipPort, mediaPort }) {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, scenario);
  const args = [
    `127.0.0.1:${sipPort}`,
    '-sf',
    file,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-mi',
    '127.0.0.1',
    '-mp',
    String(mediaPort),
    '-t',
    'u1',
    '-s',
    'dial-in',
    '-r',
    String(rate),
    '-l',
    String(calls),
    '-m',
    String(calls),
    '-nostdin',
    '-trace_stat',
    '-stf',
    join(dir, `${name}-stats.csv`),
    '-fd',
    '1',
    '-trace_counts',
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => {
    // Not its chatter about loading the pcaps and resolving the address.
    const lines = String(chunk)
      .split('\n')
      .filter((line) => line.trim() && !/^(In pcap |max pkt length|base port|Resolving remote host)/.test(line));
    errors = (errors + lines.map((line) => `${line}\n`).join('')).slice(-2000);
  });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const sipp = {
    pid: child.pid,
    name,
    /** Waits up to `ms` for sipp to finish its calls; then stops it. Resolves with whether it finished by itself. */
    async finish(ms) {
      if (!running()) return true;
      if (await Promise.race([exited.then(() => true), sleep(ms).then(() => false)])) return true;
      log(`sipp ${name}: calls still up after ${Math.round(ms / 1000)} s, stopping it${errors.trim() ? `; it said: ${errors.trim().slice(-300)}` : ''}`);
      await sipp.stop();
      return false;
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => running() && child.kill('SIGKILL'))]);
    },
  };
  workspace.defer(() => sipp.stop());
  return sipp;
}

/** sipp's cumulative counters from the last line of its -trace_stat file (written every second), and how often the scenario got its 200. */
function sippCounts(dir, name) {
  const rows = readFileSync(join(dir, `${name}-stats.csv`), 'utf8')
    .trim()
    .split('\n');
  const header = rows[0].split(';');
  const last = rows.at(-1).split(';');
  const value = (column) => Number(last[header.indexOf(column)]);
  return {
    created: value('TotalCallCreated'),
    successful: value('SuccessfulCall(C)'),
    failed: value('FailedCall(C)'),
    answered: answeredCalls(dir, name),
  };
}

/** The 200s to the INVITE sipp received (-trace_counts), or null when the file is not there. */
function answeredCalls(dir, name) {
  const file = readdirSync(dir).find((entry) => entry.startsWith(`${name}_`) && entry.endsWith('_counts.csv'));
  if (!file) return null;
  const rows = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  const header = rows[0].split(';');
  const last = rows.at(-1).split(';');
  const column = header.findIndex((name) => /^\d+_200_Recv$/.test(name));
  return column < 0 ? null : Number(last[column]);
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

async function run(settings, workspace) {
  const started = performance.now();
  const sippVersion = /SIPp v[\w.-]+/.exec(spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout ?? '')?.[0];
  if (!sippVersion) throw new Error('sipp is not installed (apt-get install sip-tester)');
  const { encodeG711 } = createRequire(import.meta.url)(join(repoRoot, 'sfu/dist/phone/g711.js'));
  const isolated = onlyLoopback();
  log(`isolated network namespace: ${isolated}; work folder ${workspace.dir}`);

  const { ports } = settings;
  const output = serverOutput();
  log('starting the server');
  const server = await startProduct({
    workspace,
    log,
    ports,
    env: {
      LOG_LEVEL: 'debug',
      SIP_HOST: '127.0.0.1',
      SIP_RTP_HOST: '127.0.0.1',
      // Every call comes from 127.0.0.1, a few hundred within minutes.
      SIP_MAX_CALLS: String(Math.max(...settings.sizes) + PRODUCERS + 10),
      SIP_CALLS_PER_SOURCE_PER_MINUTE: '10000',
      SIP_CALLS_PER_CALLER_PER_MINUTE: '10000',
      // All of them from one address, as from a SIP trunk: exempt from the concurrent calls per source.
      SIP_TRUSTED_TRUNKS: '127.0.0.1',
      PHONE_MIX_THREADS: String(settings.mixThreads),
    },
    onLine: output.onLine,
  });
  const roomNumber = await customerRoom(server, { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  log(`room ${roomNumber} with PINs`);

  const audio = (name, pin, pitchHz, listening = false) =>
    callerAudio(workspace.dir, name, {
      keys: `${roomNumber}#${pin}#`,
      pitchHz,
      speechS: settings.speechS,
      encodeMulaw: (pcm) => encodeG711('mulaw', pcm),
      listening,
    });
  const voices = {
    moderator: audio('moderator', MODERATOR_PIN, 120),
    producer: audio('producer', PARTICIPANT_PIN, 210),
    caller: audio('caller', PARTICIPANT_PIN, 165, settings.callers === 'listening'),
  };
  // Only if the bench dies without cleaning up do the callers hang up by themselves, after about 10 minutes.
  const maxLoops = Math.ceil(600 / settings.speechS);
  // Each sipp process gets its own caller ids (+4930<line>…) and media port.
  let lines = 0;
  const dial = (name, voice, calls, rate) => {
    lines++;
    const scenario = dialInScenario(voice, maxLoops, 100 + lines);
    return startSipp({ workspace, dir: workspace.dir, name, scenario, calls, rate, sipPort: ports.sip, mediaPort: ports.media + 10 * lines });
  };

  /** A fresh conference: the bench's moderator seat, then the two producers dialling in. */
  const openConference = async (label) => {
    const seat = await joinAsModerator(server.baseURL, roomNumber);
    const producers = [dial(`${label}-moderator`, voices.moderator, 1, 1), dial(`${label}-producer`, voices.producer, 1, 1)];
    if (!(await waitFor(() => seat.phonesOn().length === PRODUCERS, 30_000))) {
      throw new Error(`the ${PRODUCERS} producers did not get into the room within 30 s (${seat.phonesOn().length} did)`);
    }
    return { seat, sipps: producers, producerIds: new Set(seat.phonesOn().map((phone) => phone.id)) };
  };

  /** Ends the conference (the gateway says goodbye and hangs up every call) and waits for the sipps to finish. */
  const closeConference = async (conference) => {
    await conference.seat.end();
    const finished = [];
    for (const sipp of conference.sipps) finished.push(await sipp.finish(30_000));
    // Joins are refused with tokens issued no later than the end: the next conference starts a moment after.
    await sleep(1000);
    return finished.every(Boolean);
  };

  /**
   * The steady window, after `settleS`. While the server logs mix stats (every 10 s, each about
   * the 10 s before it), the window starts as one line arrives and ends as the windowS/10-th
   * after it does, so that its CPU time and its frame times cover the same frames.
   */
  const measureWindow = async (label, conference) => {
    await sleep(settings.settleS * 1000);
    const { seat, sipps, producerIds } = conference;
    const pids = sipps.map((sipp) => sipp.pid);
    const linesSeen = output.mixStats.length;
    const aligned = await waitFor(() => output.mixStats.length > linesSeen, MIX_STATS_PERIOD_MS + 2_000, 20);
    seat.speakers.clear();
    const probe = signallingProbe(seat, settings.probeIntervalMs);
    const start = cpuSnapshot(server.pid, pids);
    const linesBefore = output.counter.lines;
    const firstLine = output.mixStats.length;
    const periods = Math.max(1, Math.round((settings.windowS * 1000) / MIX_STATS_PERIOD_MS));
    if (aligned) await waitFor(() => output.mixStats.length >= firstLine + periods, settings.windowS * 1000 + 5_000, 20);
    else await sleep(settings.windowS * 1000);
    const end = cpuSnapshot(server.pid, pids);
    const signalling = await probe.stop();
    const cpu = { ...cpuBetween(start, end), logLinesPerS: round(((output.counter.lines - linesBefore) * 1000) / (end.at - start.at), 1) };
    const mix = summarizeMix(mixStatsWithin(output.mixStats, start.at, end.at));
    const speakers = [...seat.speakers];
    log(
      `${label}: server ${cpu.server} % of a core, mediasoup workers ${cpu.workers} %, sipp ${cpu.sipp} %, machine ${cpu.machine} % busy; mix p99 ${mix?.p99_ms ?? 'n/a'} ms; signalling p50 ${signalling.p50_ms} ms, p99 ${signalling.p99_ms} ms`,
    );
    // Callers become active speakers only if their RTP gets through their bridge into the room.
    const activeSpeakers = { producers: speakers.filter((id) => producerIds.has(id)).length, callers: speakers.filter((id) => !producerIds.has(id)).length };
    return { cpu, mix, activeSpeakers, signalling };
  };

  let baseline = null;
  const rooms = [];
  let overBudgetAt = null;
  for (const callers of settings.sizes) {
    const label = `N=${callers}`;
    const conference = await openConference(`n${callers}`);
    if (!baseline) {
      log(`baseline: only the producers, ${settings.settleS} s settle + ${settings.windowS} s window`);
      baseline = await measureWindow('baseline', conference);
    }
    log(`${label}: dialling in at ${settings.callRate} calls/s`);
    const name = `n${callers}-callers`;
    const dialTimeoutMs = 30_000 + (callers / settings.callRate) * 1000 + callers * 300;
    const callersSipp = dial(name, voices.caller, callers, settings.callRate);
    conference.sipps.push(callersSipp);
    const dialStart = performance.now();
    const allIn = await waitFor(() => conference.seat.phonesOn().length >= PRODUCERS + callers, dialTimeoutMs);
    const admitted = conference.seat.phonesOn().length - PRODUCERS;
    const dialInS = round((performance.now() - dialStart) / 1000, 1);
    log(
      allIn
        ? `${label}: all in after ${dialInS} s`
        : `${label}: only ${admitted} callers got in within ${Math.round(dialTimeoutMs / 1000)} s; measuring what is there`,
    );
    const window = await measureWindow(label, conference);
    const atWindowEnd = sippCounts(workspace.dir, name);
    const hungUpCleanly = await closeConference(conference);
    const atEnd = sippCounts(workspace.dir, name);

    const perCaller = (pct, baselinePct) => round(((pct - baselinePct) * 10) / Math.max(admitted, 1), 3);
    const serverPerCaller = perCaller(window.cpu.server, baseline.cpu.server);
    const workersPerCaller = perCaller(window.cpu.workers, baseline.cpu.workers);
    const result = {
      callers,
      admitted,
      dial_in_s: dialInS,
      calls: {
        created: atWindowEnd.created,
        answered: atEnd.answered,
        gateway_answered_all: atEnd.answered === callers,
        failed_by_window_end: atWindowEnd.failed,
        successful_after_hangup: atEnd.successful,
        hung_up_by_gateway: hungUpCleanly,
      },
      window_s: round(window.cpu.wallMs / 1000, 1),
      cpu_pct_of_core: { server: window.cpu.server, mediasoup_workers: window.cpu.workers, sipp: window.cpu.sipp, machine_all_cores: window.cpu.machine },
      server_log_lines_per_s: window.cpu.logLinesPerS,
      // CPU ms per caller per second of audio, above the producers-only baseline.
      cpu_ms_per_caller_per_audio_s: { server: serverPerCaller, mediasoup_workers: workersPerCaller, total: round(serverPerCaller + workersPerCaller, 3) },
      cpu_pct_of_core_per_caller: round((serverPerCaller + workersPerCaller) / 10, 3),
      mix: window.mix,
      signalling_ms: window.signalling,
      // The same request with N callers over with the producers only, in this run: 1 is flat.
      signalling_p50_ratio_to_baseline: ratio(window.signalling.p50_ms, baseline.signalling.p50_ms),
      signalling_p99_ratio_to_baseline: ratio(window.signalling.p99_ms, baseline.signalling.p99_ms),
      active_speakers_seen: window.activeSpeakers,
    };
    rooms.push(result);
    log(`${label}: ${serverPerCaller} ms server + ${workersPerCaller} ms workers CPU per caller per audio s; calls ${JSON.stringify(result.calls)}`);
    const reason = overBudget(result, settings);
    if (reason) {
      overBudgetAt ??= { callers, reason };
      log(`${label}: ${reason}${settings.allSizes ? '' : '; not trying more callers'}`);
      if (!settings.allSizes) break;
    }
  }

  const mixAvailable = output.mixStats.length > 0;
  const allIn = rooms.filter((result) => result.admitted === result.callers);
  const underBudget = allIn.filter((result) => result.mix && result.mix.p99_ms < BUDGET_MS && result.cpu_pct_of_core.server < settings.cpuBudgetPct);
  const largest = rooms.at(-1);
  return {
    benchmark: 'phone-live',
    measured:
      'the product as a user starts it (server/dist copy, embedded FerretDB and MailDev, LOG_LEVEL=debug); per size a fresh conference with 2 sipp producers (moderator and participant PIN) talking speech-like PCMU and N sipp callers, all dialling in by RFC 4733 keys and then streaming PCMU from pcaps (callers: see `callers`); CPU from /proc/<pid>/stat over a steady window, minus the producers-only baseline',
    callers:
      settings.callers === 'listening'
        ? 'listening: an idle line (noise at about -75 dBov) from every caller'
        : 'talking: all N send the same speech-like PCMU in step',
    sizes: settings.sizes,
    window_s: settings.windowS,
    settle_s: settings.settleS,
    call_rate_per_s: settings.callRate,
    phone_mix_threads: settings.mixThreads,
    signalling_request: `Socket.IO media:rtpCapabilities from the bench's moderator seat every ${settings.probeIntervalMs} ms of each window, round trip`,
    p99_budget_ms: BUDGET_MS,
    cpu_budget_pct_of_core: settings.cpuBudgetPct,
    baseline: {
      cpu_pct_of_core: {
        server: baseline.cpu.server,
        mediasoup_workers: baseline.cpu.workers,
        sipp: baseline.cpu.sipp,
        machine_all_cores: baseline.cpu.machine,
      },
      server_log_lines_per_s: baseline.cpu.logLinesPerS,
      mix: baseline.mix,
      signalling_ms: baseline.signalling,
      active_speakers_seen: baseline.activeSpeakers,
    },
    rooms,
    max_callers_one_core_p99_under_5ms: mixAvailable ? (underBudget.at(-1)?.callers ?? 0) : null,
    // The CPU half of that criterion alone, which needs no mix stats.
    max_callers_server_under_one_core: allIn.filter((result) => result.cpu_pct_of_core.server < settings.cpuBudgetPct).at(-1)?.callers ?? 0,
    over_budget_at: overBudgetAt,
    sizes_measured: rooms.map((result) => result.callers),
    mix_stats_available: mixAvailable,
    mix_stats_note: mixAvailable ? undefined : 'the server logged no phone-mix-stats line, so there are no mix-frame times and no p99-based largest N',
    anchors: {
      pjsip_100_pcmu_calls_mix_pct_of_core: 0.9,
      freeswitch_opus_pcmu_participant_cpu_pct: '4-5',
      ours_largest_measured: largest
        ? {
            callers: largest.callers,
            server_pct_of_core_above_baseline: round(largest.cpu_pct_of_core.server - baseline.cpu.server, 1),
            // The mix's own median frame time as a share of the 20 ms frame: the nearest thing to pjsip's "processing only".
            mix_p50_pct_of_core: largest.mix ? round((largest.mix.p50_ms / 20) * 100, 1) : null,
            cpu_pct_of_core_per_caller: largest.cpu_pct_of_core_per_caller,
          }
        : null,
      note: "for scale only: other software, other hardware. pjsip's 0.9 % is mixing alone; ours is the whole server process (SIP, sockets, jitter buffers, transcoding to Opus, the N-1 mixes) plus the mediasoup workers, which is closer to FreeSWITCH's whole-process 4-5 % per participant",
    },
    isolated_netns: isolated,
    sipp: sippVersion,
    node: process.version,
    cpus: cpus().length,
    run_s: round((performance.now() - started) / 1000, 0),
  };
}

/**
 * Signalling requests one after another, `intervalMs` apart, until `stop`: their round trips'
 * p50, p99 and max. A request that fails or times out (5 s) counts as 5000 ms.
 */
function signallingProbe(seat, intervalMs) {
  const times = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      times.push(await seat.requestMs().catch(() => 5_000));
      await sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null, 2);
      return { requests: sorted.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: round(sorted.at(-1) ?? null, 2) };
    },
  };
}

const ratio = (value, base) => (value === null || base === null || base === 0 ? null : round(value / base, 2));

/** Why the sizes should stop growing after this one, or null. */
function overBudget(result, settings) {
  if (result.mix && result.mix.p99_ms >= BUDGET_MS) return `mix p99 ${result.mix.p99_ms} ms is over ${BUDGET_MS} ms`;
  if (result.cpu_pct_of_core.server >= settings.cpuBudgetPct) return `the server used ${result.cpu_pct_of_core.server} % of a core`;
  if (result.admitted < result.callers) return `only ${result.admitted} of ${result.callers} callers got in`;
  return null;
}

const round = (value, digits = 1) => (value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits);
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Run directly: one JSON line.
// ---------------------------------------------------------------------------------------------

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = process.env.BENCH_PHONE_LIVE_OPTIONS ? JSON.parse(process.env.BENCH_PHONE_LIVE_OPTIONS) : {};
  try {
    const result = await measureLive(options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  } catch (error) {
    if (error.exitCode !== 130) log('failed:', error.stack ?? error.message);
    process.exit(error.exitCode ?? 1);
  }
}
