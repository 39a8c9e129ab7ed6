import type * as dgram from 'node:dgram';
import { once } from 'node:events';

import type { types } from 'mediasoup';
import { afterEach, describe, expect, it } from 'vitest';

import { MediaPlane, type MediaRoom } from '../src';
import type { MediaRoomEvents } from '../src/media-room';
import { MediasoupObjects } from './support/mediasoup-objects';
import { LOOPBACK, eventually, freeLoopbackPorts, loopbackUdpSocket, sleep } from './support/loopback';
import { rtpPacket } from './support/rtp';

// A room spreading over workers, with a threshold of a few consumers per
// router instead of hundreds: the same code path, at test size.
const objects = new MediasoupObjects();
let plane: MediaPlane | undefined;
const sockets: dgram.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await plane?.close();
  plane = undefined;
});

async function roomOn(numWorkers: number, maxRouterLoad: number): Promise<MediaRoom> {
  const rtcPort = await freeLoopbackPorts(numWorkers);
  plane = await MediaPlane.create({ numWorkers, listenIp: LOOPBACK, rtcPort, logLevel: 'error', maxRouterLoad });
  return plane.room('webinar');
}

const OPUS: types.RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4242 }],
};

/** A speaker on a plain transport, fed from a socket of the test's. */
async function speaker(room: MediaRoom, peerId: string): Promise<{ producerId: string; sendFrames: (count: number) => void }> {
  const { id, ip, port } = await room.createPlainTransport(peerId, { comedia: true });
  const socket = await loopbackUdpSocket();
  sockets.push(socket);
  const producerId = await room.produce(peerId, id, 'audio', OPUS, { source: 'microphone' });
  let seq = 0;
  const sendFrames = (count: number): void => {
    for (let i = 0; i < count; i++) {
      seq++;
      socket.send(rtpPacket({ payloadType: 100, sequenceNumber: seq, timestamp: seq * 960, ssrc: 4242, payload: Buffer.from([0xf8, 0xff, 0xfe]) }), port, ip);
    }
  };
  return { producerId, sendFrames };
}

/** A browser that receives: capabilities and a receive transport; returns the worker it landed on. */
async function listener(room: MediaRoom, peerId: string): Promise<types.Worker> {
  room.setRtpCapabilities(peerId, room.rtpCapabilities);
  const { id } = await room.createWebRtcTransport(peerId, 'recv');
  return objects.workerOfTransport(id);
}

/** What reached the consumer's router from the producer: through the pipe, for a listener on another worker. */
async function packetsReaching(consumerId: string): Promise<number> {
  const stats = await objects.consumer(consumerId).getStats();
  return stats.filter((s) => s.type === 'inbound-rtp').reduce((sum, s) => sum + s.packetCount, 0);
}

function collect<E extends keyof MediaRoomEvents>(room: MediaRoom, event: E): MediaRoomEvents[E][0][] {
  const seen: MediaRoomEvents[E][0][] = [];
  room.on(event, ((payload: MediaRoomEvents[E][0]) => seen.push(payload)) as never);
  return seen;
}

describe('a room across workers', () => {
  it('stays on one router below the threshold', async () => {
    const room = await roomOn(2, 10);
    const voice = await speaker(room, 'host');
    const workers = new Set<types.Worker>();
    for (const peerId of ['a', 'b', 'c']) {
      workers.add(await listener(room, peerId));
      await room.consume(peerId, voice.producerId);
    }
    expect(workers.size).toBe(1);
    expect(room.routerCount).toBe(1);
  });

  it('puts listeners beyond the threshold on another worker, the producer piped there, mutes and closes followed', async () => {
    const room = await roomOn(2, 2);
    const paused = collect(room, 'consumerPaused');
    const closed = collect(room, 'consumerClosed');
    const voice = await speaker(room, 'host');
    const { id: hostSend } = await room.createWebRtcTransport('host', 'send');
    const home = objects.workerOfTransport(hostSend);

    const consumers = new Map<string, { worker: types.Worker; consumerId: string }>();
    for (const peerId of ['a', 'b', 'c', 'd']) {
      const worker = await listener(room, peerId);
      const consumer = (await room.consume(peerId, voice.producerId))!;
      await room.resumeConsumer(peerId, consumer.consumerId);
      consumers.set(peerId, { worker, consumerId: consumer.consumerId });
    }
    // Two listeners fill the home router; the next two go to the other worker.
    expect(['a', 'b'].map((p) => consumers.get(p)!.worker)).toEqual([home, home]);
    expect(['c', 'd'].map((p) => consumers.get(p)!.worker === home)).toEqual([false, false]);
    expect(room.routerCount).toBe(2);

    voice.sendFrames(10);
    for (const { consumerId } of consumers.values()) {
      await eventually(async () => ((await packetsReaching(consumerId)) >= 10 ? true : undefined));
    }

    // Piped once: a second listener there consumed the same pipe.
    const pipeConsumers = objects.openConsumersOfType('pipe');
    expect(pipeConsumers).toHaveLength(1);

    await room.setProducerPaused(voice.producerId, true);
    await eventually(() => (paused.length === 4 ? true : undefined));
    expect(paused.map((p) => p.peerId).sort()).toEqual(['a', 'b', 'c', 'd']);

    room.closePeer('host');
    await eventually(() => (closed.length === 4 ? true : undefined));
    expect(closed.map((c) => c.peerId).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('spreads a burst of listeners that arrive together', async () => {
    const room = await roomOn(2, 2);
    await speaker(room, 'host');
    const workers = await Promise.all(['a', 'b', 'c', 'd'].map((peerId) => listener(room, peerId)));
    expect(new Set(workers).size).toBe(2);
    expect(room.routerCount).toBe(2);
  });

  it('spreads listeners who arrive before anyone sends, and a burst over three workers', async () => {
    const room = await roomOn(3, 2);
    const workers = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((peerId) => listener(room, peerId)));
    expect(room.routerCount).toBe(3);
    const perWorker = [...new Set(workers)].map((worker) => workers.filter((w) => w === worker).length);
    expect(perWorker).toEqual([2, 2, 2]);
  });

  it('with every worker used, gives a new listener the least loaded router', async () => {
    const room = await roomOn(2, 1);
    const voice = await speaker(room, 'host');
    const placed: types.Worker[] = [];
    for (const peerId of ['a', 'b', 'c']) {
      placed.push(await listener(room, peerId));
      await room.consume(peerId, voice.producerId);
    }
    expect(room.routerCount).toBe(2);
    // a on home, b on the other worker, c on the less loaded one: the other worker (home also carries the speaker's pipe consumer).
    expect(placed[1]).not.toBe(placed[0]);
    expect(placed[2]).toBe(placed[1]);
  });

  it('starts over on live workers when the worker of a spread-out router dies, and spreads again', async () => {
    const room = await roomOn(3, 1);
    const voice = await speaker(room, 'host');
    await listener(room, 'a');
    await room.consume('a', voice.producerId);
    const edgeWorker = await listener(room, 'b');
    const consumer = (await room.consume('b', voice.producerId))!;
    expect(room.routerCount).toBe(2);

    const reset = once(room, 'reset');
    const killedAt = Date.now();
    process.kill(edgeWorker.pid, 'SIGKILL');
    await reset;
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(room.routerCount).toBe(1);
    expect(room.producersOf('host')).toEqual([]);
    await expect(room.resumeConsumer('b', consumer.consumerId)).rejects.toMatchObject({ code: 'UNKNOWN_PEER' });

    // Everyone sets up again, and the room spreads again over the live workers.
    const again = await speaker(room, 'host');
    const homeAgain = await listener(room, 'a');
    await room.consume('a', again.producerId);
    const edgeAgain = await listener(room, 'b');
    const consumerAgain = (await room.consume('b', again.producerId))!;
    await room.resumeConsumer('b', consumerAgain.consumerId);
    expect(edgeAgain).not.toBe(homeAgain);
    expect(edgeAgain.closed).toBe(false);
    again.sendFrames(5);
    await eventually(async () => ((await packetsReaching(consumerAgain.consumerId)) >= 5 ? true : undefined));
  });

  it('places a receive-only plain transport like a listener: RTP piped from the other worker reaches its socket, and it cannot send', async () => {
    const room = await roomOn(2, 1);
    const voice = await speaker(room, 'host');
    const { id: hostSend } = await room.createWebRtcTransport('host', 'send');
    await listener(room, 'a');
    await room.consume('a', voice.producerId);

    room.setRtpCapabilities('recorder', room.rtpCapabilities);
    const { id, ip, port } = await room.createPlainTransport('recorder', { comedia: true, receiveOnly: true });
    expect(objects.workerOfTransport(id)).not.toBe(objects.workerOfTransport(hostSend));
    await expect(room.produce('recorder', id, 'audio', OPUS, { source: 'microphone' })).rejects.toMatchObject({ code: 'NOT_ALLOWED' });

    const ear = await loopbackUdpSocket();
    sockets.push(ear);
    const received: Buffer[] = [];
    ear.on('message', (datagram) => datagram[1]! < 192 && received.push(datagram));
    // comedia: the transport sends back to where its first packet came from.
    ear.send(rtpPacket({ payloadType: 100, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: Buffer.from([0xf8]) }), port, ip);
    const consumer = (await room.consume('recorder', voice.producerId))!;
    await room.resumeConsumer('recorder', consumer.consumerId);
    await eventually(() => {
      voice.sendFrames(1);
      return received.length >= 5 ? true : undefined;
    });
    expect(received[0]!.readUInt32BE(8)).toBe(consumer.rtpParameters.encodings![0]!.ssrc);
  });

  it('closes the routers on the other workers with the room', async () => {
    const room = await roomOn(2, 1);
    const voice = await speaker(room, 'host');
    for (const peerId of ['a', 'b']) {
      await listener(room, peerId);
      await room.consume(peerId, voice.producerId);
    }
    expect(room.routerCount).toBe(2);
    const routers = objects.routers.filter((r) => !r.closed);
    expect(routers).toHaveLength(2);
    room.close();
    await sleep(0);
    expect(routers.every((r) => r.closed)).toBe(true);
  });
});
