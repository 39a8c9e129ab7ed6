import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { once } from 'node:events';

import type { types } from 'mediasoup';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { mediasoupWorkerBinaryPath } from '../src/worker-binary';
import { WorkerPool } from '../src/worker-pool';
import { LOOPBACK, freeLoopbackPorts } from './support/loopback';

const mediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {} },
];

let pool: WorkerPool | undefined;

beforeAll(() => {
  if (!process.env.MEDIASOUP_WORKER_BIN && !fs.existsSync(mediasoupWorkerBinaryPath())) {
    throw new Error(`no worker at ${mediasoupWorkerBinaryPath()}: run \`npm run build:worker -w @konferenz/sfu\` first`);
  }
});

afterEach(() => {
  pool?.close();
  pool = undefined;
});

describe('WorkerPool', () => {
  it('runs a real worker: Opus + VP8 router and a WebRtcServer on loopback', async () => {
    pool = await WorkerPool.create({ numWorkers: 1, logLevel: 'warn' });
    const worker = pool.leastLoadedWorker();
    expect(worker.pid).toBeGreaterThan(0);

    const router = await worker.createRouter({ mediaCodecs });
    const mimeTypes = router.rtpCapabilities.codecs?.map((c) => c.mimeType) ?? [];
    expect(mimeTypes).toContain('audio/opus');
    expect(mimeTypes).toContain('video/VP8');

    const port = await freeLoopbackPorts();
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: LOOPBACK, port },
        { protocol: 'tcp', ip: LOOPBACK, port },
      ],
    });
    const transport = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true });
    expect(transport.iceCandidates.length).toBe(2);
    for (const candidate of transport.iceCandidates) {
      expect(candidate.ip).toBe(LOOPBACK);
      expect(candidate.port).toBe(port);
    }

    transport.close();
    webRtcServer.close();
    router.close();
    pool.close();
    expect(worker.closed).toBe(true);
    expect(pool.workers).toHaveLength(0);
  });

  it('places new routers on the least loaded worker', async () => {
    pool = await WorkerPool.create({ numWorkers: 2, logLevel: 'warn' });
    const first = pool.leastLoadedWorker();
    const router = await first.createRouter({ mediaCodecs });
    expect(pool.leastLoadedWorker()).not.toBe(first);
    router.close();
    expect(pool.leastLoadedWorker()).toBe(first);
  });

  it('replaces a worker killed with SIGKILL', async () => {
    pool = await WorkerPool.create({ numWorkers: 2, logLevel: 'error' });
    const victim = pool.workers[0]!;
    const survivor = pool.workers[1]!;
    const died = once(pool, 'workerdied');
    const replaced = once(pool, 'workerreplaced');

    process.kill(victim.pid, 'SIGKILL');

    const [deathEvent] = await died;
    expect(deathEvent.index).toBe(0);
    expect(deathEvent.pid).toBe(victim.pid);
    expect(victim.died).toBe(true);

    const [replacedEvent] = await replaced;
    expect(replacedEvent.index).toBe(0);
    expect(replacedEvent.oldPid).toBe(victim.pid);
    expect(replacedEvent.worker.pid).not.toBe(victim.pid);

    expect(pool.workers).toEqual([replacedEvent.worker, survivor]);
    // The replacement is a working worker.
    const router = await replacedEvent.worker.createRouter({ mediaCodecs });
    expect(router.closed).toBe(false);
  });

  it('sets up every worker, replacements included, before handing it out', async () => {
    const setUp: Array<{ pid: number; index: number }> = [];
    pool = await WorkerPool.create({
      numWorkers: 2,
      logLevel: 'error',
      setUpWorker: async (worker, index) => {
        setUp.push({ pid: worker.pid, index });
      },
    });
    expect(setUp.map((s) => s.index).sort()).toEqual([0, 1]);
    const victim = pool.workers[1]!;
    const replaced = once(pool, 'workerreplaced');
    process.kill(victim.pid, 'SIGKILL');
    const [{ worker }] = await replaced;
    expect(setUp.at(-1)).toEqual({ pid: worker.pid, index: 1 });
  });

  it('fails to start when setting up a worker fails, leaving no worker running', async () => {
    const started: types.Worker[] = [];
    await expect(
      WorkerPool.create({
        numWorkers: 1,
        logLevel: 'error',
        setUpWorker: async (worker) => {
          started.push(worker);
          throw new Error('port taken');
        },
      }),
    ).rejects.toThrow('port taken');
    expect(started).toHaveLength(1);
    expect(started[0]!.closed).toBe(true);
  });

  it('hands out no worker that is dying', async () => {
    pool = await WorkerPool.create({ numWorkers: 2, logLevel: 'error' });
    const [first, second] = pool.workers as [types.Worker, types.Worker];
    const router = await first.createRouter({ mediaCodecs });
    // mediasoup closes a dead worker's routers before the pool hears of the death.
    const seen = new Promise<types.Worker[]>((resolve) => router.once('workerclose', () => resolve(pool!.workers)));
    process.kill(first.pid, 'SIGKILL');
    expect(await seen).toEqual([second]);
  });
});

/** A minimal RTP packet: V=2, optional padding-only payload. */
function rtpPacket(seq: number, ssrc: number, paddingOnly: boolean): Buffer {
  const header = Buffer.alloc(12);
  header[0] = paddingOnly ? 0xa0 : 0x80; // V=2, P bit when padding-only
  header[1] = 100; // payload type
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(seq * 960, 4);
  header.writeUInt32BE(ssrc, 8);
  // Padding-only: 4 padding octets, the last one holding the count.
  const body = paddingOnly ? Buffer.from([0, 0, 0, 4]) : Buffer.from([0xfc, 0xff, 0xfe]);
  return Buffer.concat([header, body]);
}

describe('patched worker (scripts/patches)', () => {
  it('does not forward RTP packets whose payload is empty, without a sequence gap', async () => {
    pool = await WorkerPool.create({ numWorkers: 1, logLevel: 'warn' });
    const router = await pool.leastLoadedWorker().createRouter({ mediaCodecs });

    // Producer side: mediasoup learns our address from the first packet (comedia).
    const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: true });
    const ssrc = 11111111;
    const producer = await ingress.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc }],
      },
    });

    // Consumer side: mediasoup sends to a UDP socket of ours.
    const sink = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sink.bind(0, LOOPBACK, resolve));
    const received: Buffer[] = [];
    sink.on('message', (msg) => {
      // RFC 5761 demux: masked payload types 64-95 are RTCP, which we skip.
      const pt = msg[1]! & 0x7f;
      const isRtp = msg.length >= 12 && (pt < 64 || pt > 95);
      if (isRtp) received.push(msg);
    });
    const egress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: LOOPBACK }, rtcpMux: true, comedia: false });
    await egress.connect({ ip: LOOPBACK, port: sink.address().port });
    await egress.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });

    const source = dgram.createSocket('udp4');
    try {
      const pattern = [false, true, true, false, true, false]; // true = padding-only
      for (const [i, paddingOnly] of pattern.entries()) {
        source.send(rtpPacket(1000 + i, ssrc, paddingOnly), ingress.tuple.localPort, LOOPBACK);
        await new Promise((r) => setTimeout(r, 20));
      }
      const deadline = Date.now() + 2000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100)); // would-be extra packets
    } finally {
      source.close();
      sink.close();
    }

    expect(received).toHaveLength(3);
    const seqs = received.map((m) => m.readUInt16BE(2));
    // The dropped packets leave no hole the receiver would NACK.
    expect(seqs[1]).toBe((seqs[0]! + 1) & 0xffff);
    expect(seqs[2]).toBe((seqs[1]! + 1) & 0xffff);
  });
});
