// `npm run bench:worker`: what forwarding RTP costs the bare mediasoup worker, next to the least
// any forwarder needs. Prints one JSON line on stdout; progress goes to stderr.
//
// One router; one PlainTransport producer fed BENCH_PPS Opus-sized RTP packets per second over
// loopback UDP from this process; BENCH_CONSUMERS PlainTransport consumers, each sending to a UDP
// socket of this process. Measured over BENCH_SECONDS: packets delivered, loss, and the worker
// process's CPU time (utime + stime from /proc/<pid>/stat) per 1000 forwarded packets. The
// baseline, in the same run and with the same traffic, is bench/lib/udp-fanout-relay.mjs: a Node
// process that copies each datagram to the same sockets. Each run measures both, one after the
// other; the numbers are medians over BENCH_RUNS runs.
//
// Env: BENCH_PPS (2000), BENCH_CONSUMERS (8), BENCH_SECONDS (5), BENCH_RUNS (5),
//   BENCH_MEDIASOUP_FROM: folder to resolve mediasoup from (default: this repo's sfu/), so the
//   same file can measure another checkout's mediasoup; MEDIASOUP_WORKER_BIN as usual.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs, sendPaced } from './lib/forwarding.mjs';
import { canIsolate, numberFromEnv, onlyLoopback, repoRoot, sleep, spawnIsolated } from './lib/product.mjs';

const log = (message) => console.error(`[bench:worker] ${message}`);

const pps = numberFromEnv('BENCH_PPS', 2000);
const consumerCount = numberFromEnv('BENCH_CONSUMERS', 8);
const seconds = numberFromEnv('BENCH_SECONDS', 5);
const runs = numberFromEnv('BENCH_RUNS', 5);

// Loopback only: re-run in a private network namespace when possible.
if (!process.env.KONFERENZ_BENCH_CHILD && !onlyLoopback() && process.env.BENCH_NO_NETNS !== '1' && canIsolate()) {
  const child = spawnIsolated(fileURLToPath(import.meta.url), process.argv.slice(2));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => undefined);
}

const mediasoupFrom = process.env.BENCH_MEDIASOUP_FROM ?? join(repoRoot, 'sfu');
const mediasoup = createRequire(join(mediasoupFrom, 'package.json'))('mediasoup');
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const round = (value, digits = 2) => Number(value.toFixed(digits));

/** An RTP packet with a 160-byte payload (20 ms of Opus at 64 kbit/s). */
function rtpPacket(sequence, ssrc) {
  const packet = Buffer.alloc(12 + 160, 0x5a);
  packet[0] = 0x80;
  packet[1] = 100;
  packet.writeUInt16BE(sequence & 0xffff, 2);
  packet.writeUInt32BE((sequence * 960) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

const isRtcp = (packet) => packet.length > 1 && packet[1] >= 200 && packet[1] <= 207;

/** UDP sockets on loopback that count the RTP packets (not RTCP) they receive. */
async function receivers(count) {
  return Promise.all(
    Array.from({ length: count }, () => {
      const socket = createSocket('udp4');
      const receiver = { socket, received: 0, port: 0 };
      socket.on('message', (packet) => {
        if (!isRtcp(packet)) receiver.received += 1;
      });
      return new Promise((done) => socket.bind(0, '127.0.0.1', () => done(Object.assign(receiver, { port: socket.address().port }))));
    }),
  );
}

/** Sends `pps` packets a second to `port` for `seconds`; resolves with the count sent. */
async function sendFor(port, ssrc) {
  const socket = createSocket('udp4');
  const sent = await sendPaced(socket, { ip: '127.0.0.1', port, pps, seconds, packet: (i) => rtpPacket(i, ssrc) });
  socket.close();
  return sent;
}

/** Sends the traffic to `port`, with `pid` doing the forwarding to `sinks`; returns what that cost. */
async function measure(port, pid, sinks, ssrc) {
  for (const sink of sinks) sink.received = 0;
  const cpuBefore = cpuMs(pid);
  const sent = await sendFor(port, ssrc);
  await sleep(300); // let the last packets arrive
  const cpu = cpuMs(pid) - cpuBefore;
  const delivered = sinks.reduce((sum, sink) => sum + sink.received, 0);
  const expected = sent * sinks.length;
  return { delivered, expected, loss: 1 - delivered / expected, cpuMsPer1000: (cpu * 1000) / Math.max(delivered, 1) };
}

// mediasoup 3.13 replaced `listenIp` with `listenInfo`; the bench measures versions on both sides.
const [major, minor] = mediasoup.version.split('.').map(Number);
const listen = major === 3 && minor < 13 ? { listenIp: '127.0.0.1' } : { listenInfo: { protocol: 'udp', ip: '127.0.0.1' } };

async function mediasoupForwarder(sinks) {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const producerTransport = await router.createPlainTransport({ ...listen, rtcpMux: true, comedia: true });
  const producer = await producerTransport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: 1111 }],
    },
  });
  for (const sink of sinks) {
    const transport = await router.createPlainTransport({ ...listen, rtcpMux: true, comedia: false });
    await transport.connect({ ip: '127.0.0.1', port: sink.port });
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    if (consumer.paused) await consumer.resume();
  }
  return { port: producerTransport.tuple.localPort, pid: worker.pid, close: () => worker.close() };
}

async function relayForwarder(sinks) {
  const relay = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'lib', 'udp-fanout-relay.mjs'), ...sinks.map((sink) => sink.port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((done, fail) => {
    relay.stdout.once('data', (line) => done(Number(String(line).trim())));
    relay.once('exit', (code) => fail(new Error(`relay exited (${code}) before it listened`)));
  });
  return { port, pid: relay.pid, close: () => relay.kill() };
}

const sinks = await receivers(consumerCount);
const results = { worker: [], relay: [] };
log(`mediasoup ${mediasoup.version} (${mediasoup.workerBin}): ${pps} packets/s in, ${consumerCount} consumers, ${seconds} s, ${runs} runs`);
for (let run = 1; run <= runs; run += 1) {
  for (const [name, start] of [
    ['worker', mediasoupForwarder],
    ['relay', relayForwarder],
  ]) {
    const forwarder = await start(sinks);
    try {
      await sleep(500); // the worker's transports settle; the relay's process finishes starting
      const result = await measure(forwarder.port, forwarder.pid, sinks, 1111);
      results[name].push(result);
      log(`run ${run} ${name}: ${result.delivered}/${result.expected} delivered, ${round(result.cpuMsPer1000, 3)} ms CPU per 1000 forwarded`);
    } finally {
      forwarder.close();
    }
  }
}
for (const sink of sinks) sink.socket.close();

const summary = (list) => ({
  delivered: median(list.map((r) => r.delivered)),
  expected: median(list.map((r) => r.expected)),
  loss_pct: round(median(list.map((r) => r.loss)) * 100, 3),
  cpu_ms_per_1000_forwarded: round(median(list.map((r) => r.cpuMsPer1000)), 3),
});
const worker = summary(results.worker);
const relay = summary(results.relay);
console.log(
  JSON.stringify({
    bench: 'worker-forwarding',
    mediasoup: mediasoup.version,
    isolated_netns: onlyLoopback(),
    pps_in: pps,
    consumers: consumerCount,
    seconds,
    runs,
    worker,
    node_udp_relay: relay,
    cpu_ratio_worker_to_relay: round(worker.cpu_ms_per_1000_forwarded / relay.cpu_ms_per_1000_forwarded, 3),
  }),
);
