// `npm run bench:sfu`: how large a webinar-shaped room (one speaker, many listeners) the product's
// own media rooms carry on this machine at < 1 % loss, spread over every worker, next to one bare
// mediasoup worker forwarding the same streams in the same run: first the speaker's audio, then
// its VP8 simulcast video. Most listeners are plain RTP transports; a few are real WebRTC peers
// (werift: ICE-lite, DTLS, SRTP) in a process of their own. Prints one JSON line on stdout;
// progress goes to stderr. bench/README.md explains what is measured and what is not.
//
// Env: BENCH_STEP (400 audio listeners per step), BENCH_VIDEO_STEP (150 video listeners per
//   step), BENCH_MAX_LISTENERS (6000), BENCH_MAX_VIDEO_LISTENERS (2000), BENCH_SECONDS (2 per
//   step), BENCH_WORKERS (the machine's cores), BENCH_ROUTER_MAX_CONSUMERS (400, the product's
//   default), BENCH_PPS (50: one Opus packet every 20 ms), BENCH_WEBRTC_LISTENERS (40 in each
//   ramp), BENCH_VIDEO_LAYERS ('0,1,2': the simulcast layers plain video listeners ask for, in
//   turn), BENCH_WEBRTC_VIDEO_LAYER (1), BENCH_PHASES ('audio,video').
import { createSocket } from 'node:dgram';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cpuMs } from './lib/forwarding.mjs';
import { enterBenchRun, numberFromEnv, repoRoot, sleep } from './lib/product.mjs';
import { isRtcp, layerOf, OPUS_PARAMETERS, opusPacket, sentAtOf, Speaker, VIDEO_LAYERS, VP8_SIMULCAST_PARAMETERS } from './lib/sfu-media.mjs';
import { listenerRtpCapabilities, WebRtcListeners } from './lib/webrtc-listeners.mjs';

const log = (message) => console.error(`[bench:sfu] ${message}`);
const isolated = await enterBenchRun(import.meta.url, log);

const audioStep = numberFromEnv('BENCH_STEP', 400);
const videoStep = numberFromEnv('BENCH_VIDEO_STEP', 150);
const maxListeners = numberFromEnv('BENCH_MAX_LISTENERS', 6000);
const maxVideoListeners = numberFromEnv('BENCH_MAX_VIDEO_LISTENERS', 2000);
const seconds = numberFromEnv('BENCH_SECONDS', 2);
const workers = numberFromEnv('BENCH_WORKERS', availableParallelism());
const routerMaxConsumers = numberFromEnv('BENCH_ROUTER_MAX_CONSUMERS', 400);
const pps = numberFromEnv('BENCH_PPS', 50);
const webrtcCount = numberFromEnv('BENCH_WEBRTC_LISTENERS', 40);
const webrtcVideoLayer = numberFromEnv('BENCH_WEBRTC_VIDEO_LAYER', 1);
const videoLayers = (process.env.BENCH_VIDEO_LAYERS ?? '0,1,2').split(',').map(Number);
const phases = (process.env.BENCH_PHASES ?? 'audio,video').split(',');
if (videoLayers.some((layer) => !(layer in VIDEO_LAYERS)) || !(webrtcVideoLayer in VIDEO_LAYERS)) {
  throw new Error(`simulcast layers are 0..${VIDEO_LAYERS.length - 1}`);
}
const LOSS_LIMIT = 0.01;
// A listener who hears the speaker this late is not in the same conversation any more.
const LATENCY_P95_LIMIT_MS = 100;
// Between the last listener's joining and a measuring window. A simulcast consumer starts on the
// lowest layer and moves to the one asked for with the speaker's next sender reports (one a
// second, as a browser sends them) and a key frame.
const LEAD_MS = { audio: 500, video: 1500 };
// Packets sent at a window's end are still on their way.
const DRAIN_MS = 300;
const JOIN_BATCH = 50;
const RETRY_WAIT_MS = 2000;

const requireFromSfu = createRequire(join(repoRoot, 'sfu', 'package.json'));
// The same mediasoup module the sfu's MediaPlane uses, so its observer sees the product's workers.
const mediasoup = requireFromSfu('mediasoup');
const { MediaPlane } = requireFromSfu('./dist/index.js');
const { ROUTER_MEDIA_CODECS } = requireFromSfu('./dist/router-codecs.js');
const percentile = (values, p) => {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (value, digits = 2) => (value === null ? null : Number(value.toFixed(digits)));
const lossPct = (delivered, expected) => (expected > 0 ? round(Math.max(0, 1 - delivered / expected) * 100, 3) : null);

/** A plain listener: a UDP socket of this process that receives one kind (video: one simulcast layer). */
function sink(kind, layer) {
  const socket = createSocket('udp4');
  // Audio packets carry 0xff where video packets name their layer.
  const listener = { socket, port: 0, kind, layer, marker: kind === 'audio' ? 0xff : layer, received: 0, offLayer: 0 };
  return new Promise((done) =>
    socket.bind(0, '127.0.0.1', () => {
      listener.port = socket.address().port;
      done(listener);
    }),
  );
}

/**
 * The plain listeners' side of a measuring window: each counts the RTP packets the speaker sent
 * within the window's send times (they ride at the end of every payload), so packets in flight
 * at its start or end count exactly as the speaker counted them; every 16th gives a latency.
 * Packets of another simulcast layer than the listener asked for are counted apart (offLayer):
 * for the loss they are missing packets of its own layer.
 */
class PlainWindow {
  from = 1n;
  to = 0n;
  latenciesMs = [];

  measure(from, to, listeners) {
    Object.assign(this, { from, to, latenciesMs: [] });
    for (const listener of listeners) Object.assign(listener, { received: 0, offLayer: 0 });
  }

  watch(listener) {
    listener.socket.on('message', (packet) => {
      if (packet.length < 20 || isRtcp(packet)) return;
      const sentAt = sentAtOf(packet);
      if (sentAt < this.from || sentAt >= this.to) return;
      if (layerOf(packet) !== listener.marker) {
        listener.offLayer += 1;
        return;
      }
      listener.received += 1;
      if ((packet.readUInt16BE(2) & 0x0f) === 0) this.latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
    });
  }
}

/** What a plain listener sends its comedia transport first, so that the transport learns where to send. */
const hello = () => opusPacket(0);

/**
 * The product: a MediaPlane (sfu/dist, the server's own media rooms) with `numWorkers` workers;
 * the speaker on a plain transport (audio, and in the video phase VP8 simulcast), each plain
 * listener a receive-only plain transport that the room places like a browser's receive
 * transport (on another worker past `maxRouterLoad`), each WebRTC listener the room's own
 * WebRtcTransport (on the workers' WebRtcServers) as a browser gets it.
 */
async function productRoom(numWorkers, maxRouterLoad, { video }) {
  const pids = [];
  const onWorker = (worker) => pids.push(worker.pid);
  mediasoup.observer.on('newworker', onWorker);
  const plane = await MediaPlane.create({ numWorkers, listenIp: '127.0.0.1', rtcPort: 41000, logLevel: 'error', maxRouterLoad });
  mediasoup.observer.off('newworker', onWorker);
  const room = await plane.room('bench');
  const capabilities = listenerRtpCapabilities(room.rtpCapabilities);
  const speaker = await room.createPlainTransport('speaker', { comedia: true });
  const producers = { audio: await room.produce('speaker', speaker.id, 'audio', OPUS_PARAMETERS, { source: 'microphone' }) };
  if (video) producers.video = await room.produce('speaker', speaker.id, 'video', VP8_SIMULCAST_PARAMETERS, { source: 'camera' });
  const consume = async (peerId, kind, layer) => {
    const consumer = await room.consume(peerId, producers[kind]);
    if (!consumer) throw new Error(`${peerId} cannot consume ${kind}`);
    // The layer that fits the viewer's tile (sfu/src/simulcast-layers.ts).
    if (kind === 'video') await room.setConsumerSize(peerId, consumer.consumerId, ...VIDEO_LAYERS[layer].tile);
    return consumer;
  };
  let count = 0;
  return {
    pids,
    speakerAddress: { ip: speaker.ip, port: speaker.port },
    get routers() {
      return room.routerCount;
    },
    async addListener(listener) {
      const peerId = `listener-${++count}`;
      room.setRtpCapabilities(peerId, capabilities);
      const { ip, port } = await room.createPlainTransport(peerId, { comedia: true, receiveOnly: true });
      // comedia: the transport sends to where its first packet came from.
      listener.socket.send(hello(), port, ip);
      await sleep(2);
      const consumer = await consume(peerId, listener.kind, listener.layer);
      await room.resumeConsumer(peerId, consumer.consumerId);
    },
    async addWebRtcListener(id, webrtc, kinds) {
      room.setRtpCapabilities(id, capabilities);
      const transport = await room.createWebRtcTransport(id, 'recv');
      const consumers = [];
      for (const kind of kinds) consumers.push(await consume(id, kind, webrtcVideoLayer));
      const dtlsParameters = await webrtc.add(id, transport, consumers);
      await room.connectTransport(id, transport.id, dtlsParameters);
      await webrtc.connected(id);
      for (const consumer of consumers) await room.resumeConsumer(id, consumer.consumerId);
    },
    close: () => plane.close(),
  };
}

/** The baseline: one bare mediasoup worker and router, the same transports and streams, nothing of the product. */
async function bareWorker({ video }) {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
  const capabilities = listenerRtpCapabilities(router.rtpCapabilities);
  const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
  const speaker = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
  const producers = { audio: await speaker.produce({ kind: 'audio', rtpParameters: OPUS_PARAMETERS }) };
  if (video) producers.video = await speaker.produce({ kind: 'video', rtpParameters: VP8_SIMULCAST_PARAMETERS });
  const consume = async (transport, kind, layer) => {
    const consumer = await transport.consume({ producerId: producers[kind].id, rtpCapabilities: capabilities, paused: true });
    if (kind === 'video') await consumer.setPreferredLayers({ spatialLayer: layer });
    return consumer;
  };
  return {
    pids: [worker.pid],
    speakerAddress: { ip: '127.0.0.1', port: speaker.tuple.localPort },
    routers: 1,
    async addListener(listener) {
      const transport = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
      await transport.connect({ ip: '127.0.0.1', port: listener.port });
      const consumer = await consume(transport, listener.kind, listener.layer);
      await consumer.resume();
    },
    async addWebRtcListener(id, webrtc, kinds) {
      const transport = await router.createWebRtcTransport({ listenInfos: [listenInfo] });
      const consumers = [];
      for (const kind of kinds) consumers.push(await consume(transport, kind, webrtcVideoLayer));
      await transport.connect({ dtlsParameters: await webrtc.add(id, transport, consumers) });
      await webrtc.connected(id);
      for (const consumer of consumers) await consumer.resume();
    },
    close: () => worker.close(),
  };
}

/** Every listener, of either kind, at < 1 % loss, and speaker → listener p95 under the limit. */
const sustained = (result) =>
  result.loss_pct < LOSS_LIMIT * 100 &&
  result.latency_p95_ms < LATENCY_P95_LIMIT_MS &&
  (result.webrtc_listeners === 0 || (result.webrtc_loss_pct < LOSS_LIMIT * 100 && result.webrtc_latency_p95_ms < LATENCY_P95_LIMIT_MS));

/**
 * One ramp: the speaker sends; `webrtcCount` WebRTC listeners join first (audio; in the video
 * phase audio and video, one layer), then plain listeners of the phase's kind, `step` at a time. Each step is measured over `seconds` of send time; the ramp stops at the first step
 * with >= 1 % loss or a latency p95 of 100 ms or more, for plain or for WebRTC listeners (after
 * one retry: the machine is shared), or at `max`. Returns the largest step under the limits, with
 * its latency and the workers' CPU.
 */
async function ramp(name, forwarder, { kind, step, max }) {
  const plainWindow = new PlainWindow();
  const speakerSocket = createSocket('udp4');
  await new Promise((done) => speakerSocket.bind(0, '127.0.0.1', done));
  const speaker = new Speaker(speakerSocket, forwarder.speakerAddress, { pps, video: kind === 'video' });
  const webrtc = webrtcCount > 0 ? new WebRtcListeners(log) : null;
  const listeners = [];
  let best = null;
  // The first window after the room spread to a second router, as measured (before any retry).
  let firstSpread = null;
  // A window with the WebRTC listeners alone, before the first plain one joins.
  let webrtcOnly = null;
  const done = (outcome) => ({ ...outcome, ...(firstSpread ? { first_spread_step: firstSpread } : {}), ...(webrtcOnly ? { webrtc_only: webrtcOnly } : {}) });
  /** One measuring window over everyone who listens now. */
  const measure = async (attempt) => {
    const from = process.hrtime.bigint() + BigInt(LEAD_MS[kind] * 1e6);
    const to = from + BigInt(seconds * 1e9);
    speaker.measure(from, to);
    plainWindow.measure(from, to, listeners);
    webrtc?.count(from, to, webrtcVideoLayer);
    await sleep(LEAD_MS[kind]);
    const cpuBefore = forwarder.pids.map(cpuMs);
    const webrtcCpuBefore = webrtc ? cpuMs(webrtc.pid) : 0;
    await sleep(seconds * 1000);
    const cpu = forwarder.pids.map((pid, i) => cpuMs(pid) - cpuBefore[i]);
    const webrtcCpu = webrtc ? cpuMs(webrtc.pid) - webrtcCpuBefore : 0;
    await sleep(DRAIN_MS);
    const sentTo = (listener) => (listener.kind === 'audio' ? speaker.sent.audio : speaker.sent.video[listener.layer]);
    const expected = listeners.reduce((sum, listener) => sum + sentTo(listener), 0);
    // More than was sent to a listener's layer (another layer's packets) would hide loss elsewhere.
    const delivered = listeners.reduce((sum, listener) => sum + Math.min(listener.received, sentTo(listener)), 0);
    if (process.env.BENCH_DEBUG) log(listeners.map((listener) => `${listener.layer}:${listener.received}/${sentTo(listener)}`).join(' '));
    const report = webrtc ? await webrtc.report() : { peers: [], latenciesMs: { audio: [], video: [] } };
    const webrtcExpected = report.peers.length * (speaker.sent.audio + (kind === 'video' ? speaker.sent.video[webrtcVideoLayer] : 0));
    const webrtcDelivered = report.peers.reduce(
      (sum, { received }) =>
        sum + Math.min(received.audio, speaker.sent.audio) + (kind === 'video' ? Math.min(received.video, speaker.sent.video[webrtcVideoLayer]) : 0),
      0,
    );
    const webrtcLatencies = [...report.latenciesMs.audio, ...report.latenciesMs.video];
    return {
      listeners: listeners.length + report.peers.length,
      plain_listeners: listeners.length,
      routers: forwarder.routers,
      loss_pct: lossPct(delivered, expected),
      off_layer_listeners: listeners.filter((listener) => listener.offLayer > 0).length,
      latency_p50_ms: round(percentile(plainWindow.latenciesMs, 50)),
      latency_p95_ms: round(percentile(plainWindow.latenciesMs, 95)),
      webrtc_listeners: report.peers.length,
      webrtc_connected: report.peers.filter((peer) => peer.state === 'connected').length,
      webrtc_loss_pct: lossPct(webrtcDelivered, webrtcExpected),
      webrtc_off_layer_listeners: report.peers.filter((peer) => peer.offLayer > 0).length,
      webrtc_latency_p50_ms: round(percentile(webrtcLatencies, 50)),
      webrtc_latency_p95_ms: round(percentile(webrtcLatencies, 95)),
      attempt,
      worker_cpu_pct: cpu.map((ms) => round((ms / (seconds * 1000)) * 100, 0)),
      webrtc_process_cpu_pct: round((webrtcCpu / (seconds * 1000)) * 100, 0),
      ...(kind === 'video' ? { key_frames: speaker.keyFrames } : {}),
    };
  };
  try {
    speaker.start();
    const webrtcKinds = kind === 'video' ? ['audio', 'video'] : ['audio'];
    const joining = performance.now();
    // Ten at a time, as a room fills at the start of a webinar.
    for (let first = 0; first < webrtcCount; first += 10) {
      const batch = Array.from({ length: Math.min(10, webrtcCount - first) }, (_, i) => `webrtc-${first + i + 1}`);
      await Promise.all(batch.map((id) => forwarder.addWebRtcListener(id, webrtc, webrtcKinds)));
    }
    if (webrtc) {
      log(`${name}: ${webrtcCount} WebRTC listeners (${webrtcKinds.join(' + ')}) connected in ${Math.round(performance.now() - joining)} ms`);
      // What they alone cost the workers (with the speaker's stream coming in).
      webrtcOnly = await measure(1);
      log(`${name}: WebRTC listeners only: ${JSON.stringify(webrtcOnly)}`);
    }
    while (listeners.length + step <= max) {
      // Fifty at a time: one by one, joining under full load took longer than measuring.
      for (let added = 0; added < step; added += JOIN_BATCH) {
        const batch = Array.from({ length: Math.min(JOIN_BATCH, step - added) }, (_, i) => videoLayers[(listeners.length + i) % videoLayers.length]);
        const joined = await Promise.all(
          batch.map(async (layer) => {
            const listener = await sink(kind, layer);
            plainWindow.watch(listener);
            await forwarder.addListener(listener);
            return listener;
          }),
        );
        listeners.push(...joined);
      }
      let result;
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        // A retry waits a little longer: listeners on a router that the room has just piped the
        // speaker to get their layer only after the pipe's own sender reports (bench/README.md).
        if (attempt === 2) await sleep(RETRY_WAIT_MS);
        result = await measure(attempt);
        log(`${name}: ${JSON.stringify(result)}${attempt === 2 ? ' (retry)' : ''}`);
        if (result.routers > 1 && !firstSpread) firstSpread = result;
        if (sustained(result)) break;
      }
      if (!sustained(result)) return done({ largest_sustained: best, first_over: result });
      best = result;
    }
    return done({ largest_sustained: best, first_over: null, capped_at: max });
  } finally {
    speaker.stop();
    speakerSocket.close();
    for (const listener of listeners) listener.socket.close();
    await webrtc?.close();
    await forwarder.close();
  }
}

const largest = (result) => result.largest_sustained?.listeners ?? 0;
/**
 * Consumers one worker core would carry at 100 % CPU, from the workers' CPU at the largest
 * sustained step: in the video phase the video consumers (the WebRTC listeners' audio rides along).
 */
const perWorkerCore = (result) => {
  const best = result.largest_sustained;
  const cpu = best ? best.worker_cpu_pct.reduce((sum, pct) => sum + pct, 0) : 0;
  return cpu > 0 ? Math.round((best.listeners * 100) / cpu) : null;
};

/** The product's room and the bare worker, one after the other, with the same streams and listeners. */
async function phase(kind) {
  const video = kind === 'video';
  const options = video ? { kind, step: videoStep, max: maxVideoListeners } : { kind, step: audioStep, max: maxListeners };
  // The product first: its WebRtcServers take fixed ports, which the bare worker's transports could hold.
  const product = await ramp(`${kind} product_room`, await productRoom(workers, routerMaxConsumers, { video }), options);
  const bare = await ramp(`${kind} bare_one_worker`, await bareWorker({ video }), options);
  const [productPerCore, barePerCore] = [perWorkerCore(product), perWorkerCore(bare)];
  return {
    step: options.step,
    product_room: product,
    bare_one_worker: bare,
    largest_room_ratio_product_to_bare: largest(bare) ? round(largest(product) / largest(bare)) : null,
    consumers_per_worker_core: { product_room: productPerCore, bare_one_worker: barePerCore },
    per_core_ratio_product_to_bare: productPerCore && barePerCore ? round(productPerCore / barePerCore) : null,
  };
}

const started = Date.now();
log(
  `mediasoup ${mediasoup.version}; ${workers} workers for the product, threshold ${routerMaxConsumers}; ${seconds} s per step; ` +
    `audio: steps of ${audioStep}, ${pps} packets/s; video: steps of ${videoStep}, layers ${videoLayers.join(',')}; ${webrtcCount} WebRTC listeners (video layer ${webrtcVideoLayer})`,
);
const results = {};
for (const kind of ['audio', 'video']) if (phases.includes(kind)) results[kind] = await phase(kind);
/** The figures the issue asks for, from the ramps above: per phase, and the WebRTC listeners at the product's largest rooms. */
function summary() {
  const out = {};
  const webrtc = [];
  for (const [kind, result] of Object.entries(results)) {
    const room = (side) => {
      const best = result[side].largest_sustained;
      return best ? { listeners: best.listeners, loss_pct: best.loss_pct, latency_p95_ms: best.latency_p95_ms } : null;
    };
    out[`${kind}_consumers_per_worker_core`] = { ...result.consumers_per_worker_core, ratio: result.per_core_ratio_product_to_bare };
    out[`largest_${kind}_room`] = {
      product_room: room('product_room'),
      bare_one_worker: room('bare_one_worker'),
      ratio: result.largest_room_ratio_product_to_bare,
    };
    if (result.product_room.largest_sustained) webrtc.push(result.product_room.largest_sustained);
  }
  const worst = (field) => (webrtc.length ? Math.max(...webrtc.map((best) => best[field] ?? 0)) : null);
  return { ...out, webrtc_listeners: webrtcCount, webrtc_loss_pct: worst('webrtc_loss_pct'), webrtc_latency_p95_ms: worst('webrtc_latency_p95_ms') };
}
console.log(
  JSON.stringify({
    bench: 'sfu',
    mediasoup: mediasoup.version,
    isolated_netns: isolated,
    cpus: availableParallelism(),
    workers,
    router_max_consumers: routerMaxConsumers,
    seconds,
    pps,
    video_layers_kbps: VIDEO_LAYERS.map(({ bitrate }) => bitrate / 1000),
    plain_video_layers: videoLayers,
    webrtc_listeners: webrtcCount,
    webrtc_video_layer: webrtcVideoLayer,
    loss_limit_pct: LOSS_LIMIT * 100,
    latency_p95_limit_ms: LATENCY_P95_LIMIT_MS,
    summary: summary(),
    ...results,
    run_s: Math.round((Date.now() - started) / 1000),
  }),
);
process.exit(0);
