// `npm run bench:sfu`: how large a webinar-shaped room (one speaker, many listeners) the product's
// own media rooms carry on this machine at < 1 % loss, spread over every worker, next to one bare
// mediasoup worker forwarding the same stream in the same run. Prints one JSON line on stdout;
// progress goes to stderr. bench/README.md explains what is measured and what is not.
//
// Env: BENCH_STEP (200 listeners per step), BENCH_MAX_LISTENERS (4000), BENCH_SECONDS (3 per
//   step), BENCH_WORKERS (the machine's cores), BENCH_ROUTER_MAX_CONSUMERS (400, the product's
//   default), BENCH_PPS (50: one Opus packet every 20 ms).
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cpuMs, sendPaced } from './lib/forwarding.mjs';
import { enterBenchRun, numberFromEnv, repoRoot, sleep } from './lib/product.mjs';

const log = (message) => console.error(`[bench:sfu] ${message}`);
const isolated = await enterBenchRun(import.meta.url, log);

const step = numberFromEnv('BENCH_STEP', 200);
const maxListeners = numberFromEnv('BENCH_MAX_LISTENERS', 4000);
const seconds = numberFromEnv('BENCH_SECONDS', 3);
const workers = numberFromEnv('BENCH_WORKERS', availableParallelism());
const routerMaxConsumers = numberFromEnv('BENCH_ROUTER_MAX_CONSUMERS', 400);
const pps = numberFromEnv('BENCH_PPS', 50);
const LOSS_LIMIT = 0.01;
// A listener who hears the speaker this late is not in the same conversation any more.
const LATENCY_P95_LIMIT_MS = 100;
const SSRC = 4242;
const PAYLOAD_BYTES = 160;

const requireFromSfu = createRequire(join(repoRoot, 'sfu', 'package.json'));
// The same mediasoup module the sfu's MediaPlane uses, so its observer sees the product's workers.
const mediasoup = requireFromSfu('mediasoup');
const { MediaPlane } = requireFromSfu('./dist/index.js');
const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (value, digits = 2) => (value === null ? null : Number(value.toFixed(digits)));

/** An Opus-sized RTP packet whose payload starts with its send time (ns, this process's clock). */
function rtpPacket(sequence) {
  const packet = Buffer.alloc(12 + PAYLOAD_BYTES, 0x5a);
  packet[0] = 0x80;
  packet[1] = 100;
  packet.writeUInt16BE(sequence & 0xffff, 2);
  packet.writeUInt32BE((sequence * 960) >>> 0, 4);
  packet.writeUInt32BE(SSRC, 8);
  packet.writeBigUInt64BE(process.hrtime.bigint(), 12);
  return packet;
}

/** Where an RTP packet's payload starts: after its CSRCs and the header extensions the SFU adds. */
function payloadOffset(packet) {
  let offset = 12 + (packet[0] & 0x0f) * 4;
  if (packet[0] & 0x10) offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  return offset;
}

const OPUS_PARAMETERS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: SSRC }],
};

/** A listener's UDP socket: counts the RTP packets it gets while `counting`, and their latency. */
function sink() {
  const socket = createSocket('udp4');
  const listener = { socket, port: 0, received: 0 };
  return new Promise((done) =>
    socket.bind(0, '127.0.0.1', () => {
      listener.port = socket.address().port;
      done(listener);
    }),
  );
}

/** What every ramp step measures: one speaker at `pps`, every listener's socket. */
class Window {
  counting = false;
  latenciesMs = [];

  watch(listener) {
    listener.socket.on('message', (packet) => {
      if (!this.counting || packet.length < 20 || (packet[1] >= 200 && packet[1] <= 207)) return; // RTCP
      listener.received += 1;
      // Every 16th packet is enough for the percentiles and keeps the array small.
      if ((packet.readUInt16BE(2) & 0x0f) === 0) {
        const sentAt = packet.readBigUInt64BE(payloadOffset(packet));
        this.latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      }
    });
  }
}

/**
 * The product: a MediaPlane (sfu/dist, the server's own media rooms) with `numWorkers` workers;
 * the speaker on a plain transport, each listener a receive-only plain transport that the room
 * places like a browser's receive transport (on another worker past `maxRouterLoad`).
 */
async function productRoom(numWorkers, maxRouterLoad) {
  const pids = [];
  const onWorker = (worker) => pids.push(worker.pid);
  mediasoup.observer.on('newworker', onWorker);
  const plane = await MediaPlane.create({ numWorkers, listenIp: '127.0.0.1', rtcPort: 41000, logLevel: 'error', maxRouterLoad });
  mediasoup.observer.off('newworker', onWorker);
  const room = await plane.room('bench');
  const speaker = await room.createPlainTransport('speaker', { comedia: true });
  const producerId = await room.produce('speaker', speaker.id, 'audio', OPUS_PARAMETERS, { source: 'microphone' });
  let count = 0;
  return {
    pids,
    speakerAddress: { ip: speaker.ip, port: speaker.port },
    get routers() {
      return room.routerCount;
    },
    async addListener(listener) {
      const peerId = `listener-${++count}`;
      room.setRtpCapabilities(peerId, room.rtpCapabilities);
      const { ip, port } = await room.createPlainTransport(peerId, { comedia: true, receiveOnly: true });
      // comedia: the transport sends to where its first packet came from.
      listener.socket.send(Buffer.from(rtpPacket(0)), port, ip);
      await sleep(2);
      const consumer = await room.consume(peerId, producerId);
      await room.resumeConsumer(peerId, consumer.consumerId);
    },
    close: () => plane.close(),
  };
}

/** The baseline: one bare mediasoup worker and router, the same plain transports, nothing of the product. */
async function bareWorker() {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const speaker = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
  const producer = await speaker.produce({ kind: 'audio', rtpParameters: OPUS_PARAMETERS });
  return {
    pids: [worker.pid],
    speakerAddress: { ip: '127.0.0.1', port: speaker.tuple.localPort },
    routers: 1,
    async addListener(listener) {
      const transport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: listener.port });
      await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: false });
    },
    close: () => worker.close(),
  };
}

const sustained = (result) => result.loss_pct < LOSS_LIMIT * 100 && result.latency_p95_ms < LATENCY_P95_LIMIT_MS;

/**
 * Adds `step` listeners at a time and measures each step; stops at the first step with >= 1 %
 * loss or a latency p95 of 100 ms or more (after one retry: the machine is shared) or at BENCH_MAX_LISTENERS. Returns the largest
 * step under the limit, with its latency and the workers' CPU.
 */
async function ramp(name, forwarder) {
  const window = new Window();
  const speakerSocket = createSocket('udp4');
  const listeners = [];
  let sequence = 1;
  let best = null;
  try {
    while (listeners.length + step <= maxListeners) {
      for (let i = 0; i < step; i += 1) {
        const listener = await sink();
        window.watch(listener);
        await forwarder.addListener(listener);
        listeners.push(listener);
      }
      let result;
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        // Packets sent between steps are not counted; let them drain.
        await sleep(300);
        for (const listener of listeners) listener.received = 0;
        window.latenciesMs = [];
        const cpuBefore = forwarder.pids.map(cpuMs);
        window.counting = true;
        const first = sequence;
        const sent = await sendPaced(speakerSocket, { ...forwarder.speakerAddress, pps, seconds, packet: (i) => rtpPacket(first + i) });
        sequence += sent;
        await sleep(300);
        window.counting = false;
        const cpu = forwarder.pids.map((pid, i) => cpuMs(pid) - cpuBefore[i]);
        const delivered = listeners.reduce((sum, listener) => sum + listener.received, 0);
        const expected = sent * listeners.length;
        result = {
          listeners: listeners.length,
          routers: forwarder.routers,
          loss_pct: round((1 - delivered / expected) * 100, 3),
          latency_p50_ms: round(percentile(window.latenciesMs, 50)),
          latency_p95_ms: round(percentile(window.latenciesMs, 95)),
          worker_cpu_pct: cpu.map((ms) => round((ms / (seconds * 1000 + 300)) * 100, 0)),
        };
        log(`${name}: ${JSON.stringify(result)}${attempt === 2 ? ' (retry)' : ''}`);
        if (sustained(result)) break;
      }
      if (!sustained(result)) return { largest_sustained: best, first_over: result };
      best = result;
    }
    return { largest_sustained: best, first_over: null, capped_at: maxListeners };
  } finally {
    speakerSocket.close();
    for (const listener of listeners) listener.socket.close();
    await forwarder.close();
  }
}

const started = Date.now();
log(
  `mediasoup ${mediasoup.version}; ${workers} workers for the product, threshold ${routerMaxConsumers}; steps of ${step}, ${seconds} s each, ${pps} packets/s`,
);
// The product first: its WebRtcServers take fixed ports, which the bare worker's transports could hold.
const product = await ramp('product_room', await productRoom(workers, routerMaxConsumers));
const bare = await ramp('bare_one_worker', await bareWorker());
const largest = (result) => result.largest_sustained?.listeners ?? 0;
/** Listeners one worker core would carry at 100 % CPU, from the workers' CPU at the largest sustained step. */
const perWorkerCore = (result) => {
  const best = result.largest_sustained;
  const cpu = best ? best.worker_cpu_pct.reduce((sum, pct) => sum + pct, 0) : 0;
  return cpu > 0 ? Math.round((best.listeners * 100) / cpu) : null;
};
const [productPerCore, barePerCore] = [perWorkerCore(product), perWorkerCore(bare)];
console.log(
  JSON.stringify({
    bench: 'sfu',
    mediasoup: mediasoup.version,
    isolated_netns: isolated,
    cpus: availableParallelism(),
    workers,
    router_max_consumers: routerMaxConsumers,
    step,
    seconds,
    pps,
    loss_limit_pct: LOSS_LIMIT * 100,
    latency_p95_limit_ms: LATENCY_P95_LIMIT_MS,
    product_room: product,
    bare_one_worker: bare,
    largest_room_ratio_product_to_bare: largest(bare) ? round(largest(product) / largest(bare)) : null,
    listeners_per_worker_core: { product_room: productPerCore, bare_one_worker: barePerCore },
    per_core_ratio_product_to_bare: productPerCore && barePerCore ? round(productPerCore / barePerCore) : null,
    run_s: Math.round((Date.now() - started) / 1000),
  }),
);
process.exit(0);
