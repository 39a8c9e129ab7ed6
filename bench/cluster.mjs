#!/usr/bin/env node
// npm run bench:cluster — several nodes on one Redis: how long until every participant of a
// conference is seated again when the node that runs it is killed (kill -9) or stopped (SIGTERM,
// a rolling restart), against a plain reconnection through the same front door in the same run;
// signalling requests per second through one, two and three nodes; how rooms spread over three
// nodes and over the two left when one dies. One JSON line on stdout; progress on stderr. See
// bench/README.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { TestRedis } from '@konferenz/testing/redis-server';
import { Workspace, customerRoom, enterBenchRun, numberFromEnv, sleep, startProduct } from './lib/product.mjs';

const log = (...parts) => console.error('[bench:cluster]', ...parts);

const isolated = await enterBenchRun(import.meta.url, log);

const ROUNDS = numberFromEnv('BENCH_ROUNDS', 5);
const GUESTS = numberFromEnv('BENCH_GUESTS', 4);
const LEASE_SECONDS = numberFromEnv('BENCH_LEASE_SECONDS', 3);
/** What the browser waits before asking the front door again after a node did not answer (client RESTART_RETRY_MS). */
const RETRY_MS = numberFromEnv('BENCH_RETRY_MS', 1000);
const SEAT_TIMEOUT_MS = numberFromEnv('BENCH_SEAT_TIMEOUT_MS', 60_000);
/** Throughput: conferences (one participant each, asking in a closed loop) and how long each phase asks. */
const THROUGHPUT_ROOMS = numberFromEnv('BENCH_THROUGHPUT_ROOMS', 8);
const THROUGHPUT_SECONDS = numberFromEnv('BENCH_THROUGHPUT_SECONDS', 5);
/** Rooms per node: conferences opened through each of the three nodes before one of them is killed. */
const ROOMS_PER_NODE = numberFromEnv('BENCH_ROOMS_PER_NODE', 10);
const MODERATOR_PIN = '583920';
const PARTICIPANT_PIN = '740215';
const PORTS = { store: 3500, nodes: [3501, 3502, 3503], db: 27518, smtp: 1525, mailWeb: 1580, rtc: [40500, 40510, 40520, 40530] };

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round1 = (value) => Math.round(value * 10) / 10;
const summary = (values) => ({ p50: round1(percentile(values, 50)), p95: round1(percentile(values, 95)), samples: values.map(Math.round) });

// ---------------------------------------------------------------------------------------------
// A participant as the browser is one, signalling only: the front door, the redirect to the
// node that runs the conference, and the same retry as the page when a node does not answer.
// ---------------------------------------------------------------------------------------------

/** One connection attempt: seated (the conference state arrived), sent elsewhere, or refused. */
function attempt(url, token) {
  const socket = io(`${url}/conference`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5_000 });
  return new Promise((resolve) => {
    socket.once('conference:state', () => resolve({ socket }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error.message === 'ROOM_ON_OTHER_NODE' ? { redirect: error.data?.nodeUrl } : { refused: error.message });
    });
  });
}

class Participant {
  socket = null;
  /** The node it was seated on. */
  node = null;
  /** Resolves when the node this participant is on goes away (disconnect, or told the conference moved). */
  gone = null;

  constructor(frontDoor, token) {
    this.frontDoor = frontDoor;
    this.token = token;
  }

  async seat() {
    const deadline = Date.now() + SEAT_TIMEOUT_MS;
    let url = this.frontDoor;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`not seated within ${SEAT_TIMEOUT_MS} ms`);
      const outcome = await attempt(url, this.token);
      if (outcome.socket) {
        this.socket = outcome.socket;
        this.node = url;
        this.gone = new Promise((resolve) => {
          this.socket.once('disconnect', resolve);
          this.socket.once('conference:moved', resolve);
        });
        return;
      }
      if (outcome.redirect) {
        url = outcome.redirect;
        continue;
      }
      url = this.frontDoor;
      await sleep(RETRY_MS);
    }
  }

  leave() {
    this.socket?.close();
    this.socket = null;
  }

  /** One acknowledged request; throws on a refusal or no answer. */
  async request(name, payload) {
    const result = await this.socket.timeout(5_000).emitWithAck(name, payload);
    if (!result?.ok) throw new Error(`${name}: ${JSON.stringify(result?.error ?? result)}`);
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Acknowledged requests per second, each room's participant asking in a closed loop: raising and
 * lowering their hand, which the owner validates, applies, sends to the room and writes into the
 * conference record in Redis.
 */
async function requestsPerSecond(participants) {
  const end = performance.now() + THROUGHPUT_SECONDS * 1000;
  const counts = await Promise.all(
    participants.map(async (participant) => {
      let answered = 0;
      while (performance.now() < end) {
        await participant.request('participant:setAttributes', { attributes: { hand: answered % 2 ? null : String(Date.now()) } });
        answered++;
      }
      return answered;
    }),
  );
  return Math.round(counts.reduce((sum, count) => sum + count, 0) / THROUGHPUT_SECONDS);
}

async function joinToken(frontDoor, roomNumber, pin, displayName) {
  const response = await fetch(`${frontDoor}/api/conference/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Konferenz-CSRF': '1' },
    body: JSON.stringify({ roomNumber, pin, displayName }),
  });
  if (!response.ok) throw new Error(`join answered ${response.status}: ${await response.text()}`);
  return (await response.json()).token;
}

// ---------------------------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------------------------

const workspace = new Workspace('konferenz-bench-cluster-', log);
const stopListening = workspace.cleanupOnSignals();
try {
  const redis = await TestRedis.start();
  workspace.defer(() => redis.stop());
  // The database and mail catcher the nodes share: an ordinary product's embedded ones.
  const store = await startProduct({
    workspace,
    log,
    ports: { http: PORTS.store, db: PORTS.db, smtp: PORTS.smtp, mailWeb: PORTS.mailWeb, rtc: PORTS.rtc[0] },
    env: { MEDIA_WORKERS: '1' },
  });
  const roomNumber = await customerRoom(store, { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
  const secrets = JSON.parse(readFileSync(join(workspace.dir, 'data', 'secrets.json'), 'utf8'));
  const nodeEnv = (index) => ({
    MONGODB_URI: `mongodb://127.0.0.1:${PORTS.db}/konferenz`,
    SMTP_URL: `smtp://127.0.0.1:${PORTS.smtp}`,
    SESSION_SECRET: secrets.session,
    PIN_ENCRYPTION_KEY: secrets.pinEncryptionKey,
    REDIS_URL: redis.url,
    NODE_ID: `node-${index}`,
    PUBLIC_URL: `http://127.0.0.1:${PORTS.nodes[index]}`,
    NODE_PUBLIC_URL: `http://127.0.0.1:${PORTS.nodes[index]}`,
    NODE_ORIGINS: 'http://127.0.0.1:*',
    ROOM_LEASE_SECONDS: String(LEASE_SECONDS),
    MEDIA_WORKERS: '1',
    // The throughput phase asks as fast as it is answered; the per-socket flood limit would be the ceiling.
    SOCKET_EVENTS_PER_SECOND: '1000000',
    SOCKET_EVENT_BURST: '1000000',
  });
  const startNode = (index) =>
    startProduct({
      workspace,
      log,
      ports: { http: PORTS.nodes[index], db: PORTS.db, smtp: PORTS.smtp, mailWeb: PORTS.mailWeb, rtc: PORTS.rtc[index + 1] },
      env: nodeEnv(index),
      onLine: (line) => process.stderr.write(`[node-${index}] ${line}\n`),
    });
  const nodes = [await startNode(0), await startNode(1)];

  // The conference runs on node 0; every participant comes in through node 1 and is sent on.
  let owner = 0;
  const frontDoorOf = () => nodes[1 - owner].baseURL;
  const tokens = [await joinToken(frontDoorOf(), roomNumber, MODERATOR_PIN, 'Moderatorin')];
  for (let guest = 0; guest < GUESTS; guest++) tokens.push(await joinToken(frontDoorOf(), roomNumber, PARTICIPANT_PIN, `Gast ${guest + 1}`));
  const seatAll = async (participants) => {
    const started = performance.now();
    await Promise.all(participants.map((participant) => participant.seat()));
    return performance.now() - started;
  };
  // A fresh Redis holds the first claim back for one lease; the first seating waits for it.
  let participants = tokens.map((token) => new Participant(nodes[owner].baseURL, token));
  await seatAll(participants.slice(0, 1));
  await seatAll(participants.slice(1));

  const samples = { baseline: [], sigterm: [], kill: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['baseline', 'sigterm', 'kill']) {
      // Everyone's front door is the node that will survive.
      const survivor = 1 - owner;
      participants = participants.map((participant) => Object.assign(participant, { frontDoor: nodes[survivor].baseURL }));
      await sleep(500);
      if (kind === 'baseline') {
        // A plain reconnection of everyone through the front door to the live owner.
        for (const participant of participants) participant.leave();
        samples.baseline.push(await seatAll(participants));
        continue;
      }
      const gone = Promise.all(participants.map((participant) => participant.gone));
      const started = performance.now();
      process.kill(nodes[owner].pid, kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await gone;
      for (const participant of participants) participant.leave();
      await Promise.all(participants.map((participant) => participant.seat()));
      samples[kind].push(performance.now() - started);
      log(`round ${round + 1} ${kind}: ${Math.round(samples[kind].at(-1))} ms until all ${participants.length} seated on node-${survivor}`);
      // The stopped or killed node comes back as the next round's standby.
      while (!nodes[owner].exited()) await sleep(50);
      nodes[owner] = await startNode(owner);
      owner = survivor;
    }
  }
  for (const participant of participants) participant.leave();

  nodes.push(await startNode(2));
  const nodeName = (url) => `node-${PORTS.nodes.indexOf(Number(new URL(url).port))}`;
  const roomsPerNode = (seated) => {
    const count = {};
    for (const participant of seated) count[nodeName(participant.node)] = (count[nodeName(participant.node)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(count).sort());
  };

  // Throughput: the same rooms first all on one node, then spread over two and over three (every node is a front door).
  const rooms = [];
  for (let room = 0; room < THROUGHPUT_ROOMS; room++) rooms.push(await customerRoom(store, { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN }));
  const throughput = {};
  for (const [phase, nodeOf] of [
    ['one_node', () => 0],
    ['two_nodes', (room) => room % 2],
    ['three_nodes', (room) => room % 3],
  ]) {
    const askers = [];
    for (const [room, number] of rooms.entries()) {
      const door = nodes[nodeOf(room)].baseURL;
      askers.push(new Participant(door, await joinToken(door, number, MODERATOR_PIN, `Moderatorin ${room + 1}`)));
    }
    await seatAll(askers);
    const cpuBefore = nodes.map((node) => cpuMs(node.pid));
    const perSecond = await requestsPerSecond(askers);
    const cpu = nodes.map((node, index) => cpuMs(node.pid) - cpuBefore[index]);
    throughput[phase] = {
      requests_per_second: perSecond,
      node_cpu_ms_per_1000_requests: Number((cpu.reduce((sum, ms) => sum + ms, 0) / ((perSecond * THROUGHPUT_SECONDS) / 1000)).toFixed(1)),
      node_cpu_share: cpu.map((ms) => Number((ms / (THROUGHPUT_SECONDS * 1000)).toFixed(2))),
    };
    log(`throughput ${phase}: ${JSON.stringify(throughput[phase])} over ${rooms.length} rooms`);
    // Leaving (not just disconnecting, which keeps the place for the grace period) ends each conference and frees its room.
    await Promise.all(askers.map((asker) => asker.request('conference:leave', {})));
    for (const asker of askers) asker.leave();
    await sleep(1_000);
  }

  // Rooms per node: conferences opened through each node (the node a conference's first
  // participant reaches runs it), then node 2 killed: its rooms, their participants coming back
  // through the two nodes left, spread over those.
  const spread = [];
  for (let room = 0; room < ROOMS_PER_NODE * 3; room++) {
    const number = await customerRoom(store, { moderatorPin: MODERATOR_PIN, participantPin: PARTICIPANT_PIN });
    const door = nodes[room % 3].baseURL;
    spread.push(new Participant(door, await joinToken(door, number, MODERATOR_PIN, `Moderatorin ${room + 1}`)));
  }
  await seatAll(spread);
  const before = roomsPerNode(spread);
  log(`rooms per node: ${JSON.stringify(before)}`);
  const orphans = spread.filter((participant) => nodeName(participant.node) === 'node-2');
  const orphansGone = Promise.all(orphans.map((participant) => participant.gone));
  const killed = performance.now();
  process.kill(nodes[2].pid, 'SIGKILL');
  await orphansGone;
  const roomBack = await Promise.all(
    orphans.map(async (participant, index) => {
      participant.leave();
      participant.frontDoor = nodes[index % 2].baseURL;
      await participant.seat();
      return performance.now() - killed;
    }),
  );
  const after = roomsPerNode(spread);
  log(`rooms per node after node-2 was killed: ${JSON.stringify(after)}`);
  for (const participant of spread) participant.leave();

  const baseline = summary(samples.baseline);
  const result = {
    bench: 'cluster',
    isolated_netns: isolated,
    what: 'participants seated again (conference state received), signalling only: media setup, the same on every path, is not included',
    participants: participants.length,
    rounds: ROUNDS,
    lease_ms: LEASE_SECONDS * 1000,
    client_retry_ms: RETRY_MS,
    baseline_reconnect_ms: baseline,
    handover_sigterm_ms: summary(samples.sigterm),
    failover_kill_ms: summary(samples.kill),
    ratio_p50: {
      handover_over_baseline: Number((percentile(samples.sigterm, 50) / baseline.p50).toFixed(2)),
      failover_over_baseline: Number((percentile(samples.kill, 50) / baseline.p50).toFixed(2)),
    },
    throughput_rooms: rooms.length,
    throughput,
    throughput_two_over_one: Number((throughput.two_nodes.requests_per_second / throughput.one_node.requests_per_second).toFixed(2)),
    throughput_three_over_one: Number((throughput.three_nodes.requests_per_second / throughput.one_node.requests_per_second).toFixed(2)),
    rooms_per_node: { opened: before, after_node_2_killed: after, node_2_rooms_back_ms: summary(roomBack) },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  stopListening();
  await workspace.cleanup();
}
