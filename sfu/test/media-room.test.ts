import type * as dgram from 'node:dgram';
import { once } from 'node:events';

import type { types } from 'mediasoup';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { MediaError, MediaPlane, type MediaRoom } from '../src';
import type { MediaErrorCode } from '../src/media-error';
import type { MediaRoomEvents } from '../src/media-room';
import { MediasoupObjects } from './support/mediasoup-objects';
import { LOOPBACK, eventually, freeLoopbackPorts, loopbackUdpSocket, sleep } from './support/loopback';
import { AUDIO_LEVEL_URI, rtpPacket } from './support/rtp';

const objects = new MediasoupObjects();
let plane: MediaPlane;
let rtcPort: number;
let room: MediaRoom;
let roomCount = 0;
const sockets: dgram.Socket[] = [];

beforeAll(async () => {
  rtcPort = await freeLoopbackPorts(1);
  plane = await MediaPlane.create({ numWorkers: 1, listenIp: LOOPBACK, rtcPort, logLevel: 'error' });
});

afterAll(async () => {
  await plane.close();
});

beforeEach(async () => {
  room = await plane.room(`room-${++roomCount}`);
});

afterEach(() => {
  room.close();
  for (const socket of sockets.splice(0)) socket.close();
});

const AUDIO_LEVEL_EXTENSION_ID = 1;

function opus(ssrc: number): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_EXTENSION_ID }],
  };
}

/** VP8 in three simulcast encodings, as a browser's camera sends it. */
function vp8Simulcast(ssrcs: [number, number, number]): types.RtpParameters {
  return {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
    encodings: ssrcs.map((ssrc) => ({ ssrc })),
  };
}

/** A phone-like sender: a plain transport in the room and a UDP socket of the test's that feeds it. */
async function plainSender(peerId: string): Promise<{ transportId: string; send: (packet: Buffer) => void }> {
  const { id, ip, port } = await room.createPlainTransport(peerId, { comedia: true });
  const socket = await loopbackUdpSocket();
  sockets.push(socket);
  return { transportId: id, send: (packet) => socket.send(packet, port, ip) };
}

async function produceOpus(peerId: string, ssrc: number) {
  const sender = await plainSender(peerId);
  const producerId = await room.produce(peerId, sender.transportId, 'audio', opus(ssrc), { source: 'microphone' });
  let sequenceNumber = 1;
  /** One 20 ms Opus frame; `level` 0 is loudest, 127 silence. */
  const sendFrame = (level = 127): void => {
    const seq = sequenceNumber++;
    sender.send(
      rtpPacket({
        payloadType: 100,
        sequenceNumber: seq,
        timestamp: seq * 960,
        ssrc,
        payload: Buffer.from([0xfc, 0xff, 0xfe]),
        audioLevel: { id: AUDIO_LEVEL_EXTENSION_ID, level },
      }),
    );
  };
  return { producerId, transportId: sender.transportId, sendFrame };
}

/** A browser that can receive: capabilities (the router's own are a complete set) and a recv transport. */
async function viewer(peerId: string): Promise<string> {
  room.setRtpCapabilities(peerId, room.rtpCapabilities);
  return (await room.createWebRtcTransport(peerId, 'recv')).id;
}

async function expectMediaError(call: Promise<unknown> | (() => unknown), code: MediaErrorCode): Promise<MediaError> {
  const error = await (typeof call === 'function' ? Promise.resolve().then(call) : call).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MediaError);
  expect((error as MediaError).code).toBe(code);
  return error as MediaError;
}

function collect<E extends keyof MediaRoomEvents>(event: E): MediaRoomEvents[E][0][] {
  const seen: MediaRoomEvents[E][0][] = [];
  room.on(event, ((payload: MediaRoomEvents[E][0]) => seen.push(payload)) as never);
  return seen;
}

async function inboundPackets(consumerId: string): Promise<number> {
  const stats = await objects.consumer(consumerId).getStats();
  return stats.filter((s) => s.type === 'inbound-rtp').reduce((sum, s) => sum + s.packetCount, 0);
}

describe('MediaRoom', () => {
  it('offers Opus with FEC and DTX, PCMU, VP8 and H264', () => {
    const codecs = room.rtpCapabilities.codecs ?? [];
    const opusCodec = codecs.find((c) => c.mimeType === 'audio/opus');
    expect(opusCodec).toMatchObject({ clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } });
    expect(codecs.find((c) => c.mimeType === 'audio/PCMU')).toMatchObject({ clockRate: 8000 });
    expect(codecs.find((c) => c.mimeType === 'video/VP8')).toMatchObject({ clockRate: 90000 });
    expect(codecs.find((c) => c.mimeType === 'video/H264')).toMatchObject({ clockRate: 90000 });
  });

  it('creates WebRTC transports on the WebRtcServer port: loopback, UDP and TCP', async () => {
    for (const direction of ['send', 'recv'] as const) {
      const transport = await room.createWebRtcTransport('alice', direction);
      expect(transport.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
      for (const candidate of transport.iceCandidates) {
        expect(candidate.ip).toBe(LOOPBACK);
        expect(candidate.port).toBe(rtcPort);
      }
      expect(transport.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    }
  });

  it('connects a transport and restarts its ICE; malformed DTLS parameters fail as MEDIA_FAILED', async () => {
    const transport = await room.createWebRtcTransport('alice', 'send');
    await expectMediaError(room.connectTransport('alice', transport.id, { fingerprints: 'nope' } as unknown as types.DtlsParameters), 'MEDIA_FAILED');
    await room.connectTransport('alice', transport.id, {
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
    });
    const iceParameters = await room.restartIce('alice', transport.id);
    expect(iceParameters.usernameFragment).not.toBe(transport.iceParameters.usernameFragment);
  });

  it('forwards a producer: the consumer starts paused, resumes, and counts packets only once they are sent', async () => {
    const newProducers = collect('newProducer');
    await viewer('bob');
    const phone = await produceOpus('phone', 1111);
    expect(newProducers).toEqual([{ peerId: 'phone', producerId: phone.producerId, kind: 'audio', source: 'microphone' }]);
    expect(room.producersOf('phone')).toEqual([{ id: phone.producerId, kind: 'audio', source: 'microphone', paused: false }]);

    const consumer = await room.consume('bob', phone.producerId);
    expect(consumer).toMatchObject({ producerId: phone.producerId, kind: 'audio', producerPaused: false });
    expect(consumer!.rtpParameters.codecs[0]!.mimeType).toBe('audio/opus');
    const mediasoupConsumer = objects.consumer(consumer!.consumerId);
    expect(mediasoupConsumer.paused).toBe(true);

    await room.resumeConsumer('bob', consumer!.consumerId);
    expect(mediasoupConsumer.paused).toBe(false);

    await sleep(100);
    expect(await inboundPackets(consumer!.consumerId)).toBe(0);
    for (let i = 0; i < 10; i++) {
      phone.sendFrame();
      await sleep(5);
    }
    await eventually(async () => ((await inboundPackets(consumer!.consumerId)) >= 10 ? true : undefined));
  });

  it('lets a phone consume on its plain transport: paused until resumed, then RTP reaches it', async () => {
    const closed = collect('consumerClosed');
    const paused = collect('consumerPaused');
    const speaker = await produceOpus('speaker', 1212);
    // A phone: capabilities, one plain transport, and the socket comedia learns its address from.
    room.setRtpCapabilities('phone', room.rtpCapabilities);
    const { id: transportId, ip, port } = await room.createPlainTransport('phone', { comedia: true });
    const ear = await loopbackUdpSocket();
    sockets.push(ear);
    const received: Buffer[] = [];
    // RTP only: mediasoup also sends RTCP (payload types 200-204) once the consumer runs.
    ear.on('message', (datagram) => datagram[1]! < 192 && received.push(datagram));
    ear.send(rtpPacket({ payloadType: 100, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: Buffer.from([0xf8]) }), port, ip);

    const consumer = (await room.consume('phone', speaker.producerId))!;
    expect(consumer).toMatchObject({ producerId: speaker.producerId, kind: 'audio', producerPaused: false });
    expect(objects.consumer(consumer.consumerId).paused).toBe(true);
    expect(objects.transportOfConsumer(consumer.consumerId)).toBe(transportId);
    expect(await room.consume('phone', speaker.producerId)).toBeNull();
    for (let i = 0; i < 5; i++) speaker.sendFrame();
    await sleep(100);
    expect(received).toEqual([]);

    await room.resumeConsumer('phone', consumer.consumerId);
    expect(objects.consumer(consumer.consumerId).paused).toBe(false);
    const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!;
    await eventually(() => {
      speaker.sendFrame();
      return received.some((datagram) => datagram.readUInt32BE(8) === ssrc) ? true : undefined;
    });

    await room.setProducerPaused(speaker.producerId, true);
    await eventually(() => (paused.length === 1 ? true : undefined));
    expect(paused[0]).toEqual({ peerId: 'phone', consumerId: consumer.consumerId, paused: true });
    room.closePeer('speaker');
    await eventually(() => (closed.length === 1 ? true : undefined));
    expect(closed[0]).toEqual({ peerId: 'phone', consumerId: consumer.consumerId });
  });

  it('keeps one plain transport per peer, and its own producer off it', async () => {
    const phone = await produceOpus('phone', 1313);
    room.setRtpCapabilities('phone', room.rtpCapabilities);
    expect(await room.consume('phone', phone.producerId)).toBeNull();

    const other = await produceOpus('other', 1414);
    const second = await room.createPlainTransport('phone', { comedia: true });
    // The first transport closed, and the producer on it with it.
    expect(room.producersOf('phone')).toEqual([]);
    await expectMediaError(room.produce('phone', phone.transportId, 'audio', opus(1), { source: 'microphone' }), 'UNKNOWN_TRANSPORT');
    const consumer = (await room.consume('phone', other.producerId))!;
    expect(objects.transportOfConsumer(consumer.consumerId)).toBe(second.id);
  });

  it('returns null when the peer cannot consume', async () => {
    const phone = await produceOpus('phone', 2222);
    // Unknown to the room, no capabilities, no receive transport.
    expect(await room.consume('nobody', phone.producerId)).toBeNull();
    room.setRtpCapabilities('carol', room.rtpCapabilities);
    expect(await room.consume('carol', phone.producerId)).toBeNull();
    await room.createWebRtcTransport('dave', 'recv');
    expect(await room.consume('dave', phone.producerId)).toBeNull();
    // Capabilities without the producer's codec, or malformed ones.
    room.setRtpCapabilities('dave', { codecs: (room.rtpCapabilities.codecs ?? []).filter((c) => c.kind === 'video') });
    expect(await room.consume('dave', phone.producerId)).toBeNull();
    room.setRtpCapabilities('dave', { codecs: 'opus' } as unknown as types.RtpCapabilities);
    expect(await room.consume('dave', phone.producerId)).toBeNull();
    // Its own producer.
    room.setRtpCapabilities('phone', room.rtpCapabilities);
    await room.createWebRtcTransport('phone', 'recv');
    expect(await room.consume('phone', phone.producerId)).toBeNull();
    // Twice the same producer: one consumer.
    await viewer('bob');
    const [first, second] = await Promise.all([room.consume('bob', phone.producerId), room.consume('bob', phone.producerId)]);
    expect([first, second].filter((c) => c !== null)).toHaveLength(1);
  });

  it('mutes: a paused producer pauses its consumers and says so', async () => {
    const paused = collect('consumerPaused');
    const phone = await produceOpus('phone', 3333);
    await viewer('bob');
    const consumer = (await room.consume('bob', phone.producerId))!;

    await room.setProducerPaused(phone.producerId, true);
    expect(room.producersOf('phone')[0]!.paused).toBe(true);
    await eventually(() => (paused.length === 1 ? true : undefined));
    expect(paused[0]).toEqual({ peerId: 'bob', consumerId: consumer.consumerId, paused: true });
    // A viewer who arrives while the producer is muted learns it from consume().
    await viewer('carol');
    const carolConsumer = (await room.consume('carol', phone.producerId))!;
    expect(carolConsumer.producerPaused).toBe(true);

    await room.setProducerPaused(phone.producerId, false);
    await eventually(() => (paused.length === 3 ? true : undefined));
    expect(paused.slice(1)).toEqual(
      expect.arrayContaining([
        { peerId: 'bob', consumerId: consumer.consumerId, paused: false },
        { peerId: 'carol', consumerId: carolConsumer.consumerId, paused: false },
      ]),
    );
  });

  it('closes consumers with their producer, and with the peer that produced', async () => {
    const closed = collect('consumerClosed');
    const phone = await produceOpus('phone', 4444);
    await viewer('bob');
    const bobConsumer = (await room.consume('bob', phone.producerId))!;

    await room.closeProducer('phone', phone.producerId);
    await eventually(() => (closed.length === 1 ? true : undefined));
    expect(closed[0]).toEqual({ peerId: 'bob', consumerId: bobConsumer.consumerId });
    expect(room.producersOf('phone')).toEqual([]);
    await expectMediaError(room.resumeConsumer('bob', bobConsumer.consumerId), 'UNKNOWN_CONSUMER');

    const camera = await plainSender('cam');
    const cameraProducerId = await room.produce('cam', camera.transportId, 'video', vp8Simulcast([1, 2, 3]), { source: 'camera' });
    const camConsumer = (await room.consume('bob', cameraProducerId))!;
    room.closePeer('cam');
    await eventually(() => (closed.length === 2 ? true : undefined));
    expect(closed[1]).toEqual({ peerId: 'bob', consumerId: camConsumer.consumerId });
    expect(room.producersOf('cam')).toEqual([]);
    await expectMediaError(room.produce('cam', camera.transportId, 'audio', opus(5), { source: 'microphone' }), 'UNKNOWN_PEER');
  });

  it('sends the simulcast layer that fits the tile, and no video to a hidden tile', async () => {
    const camera = await plainSender('cam');
    const producerId = await room.produce('cam', camera.transportId, 'video', vp8Simulcast([11, 12, 13]), { source: 'camera' });
    await viewer('bob');
    const { consumerId } = (await room.consume('bob', producerId))!;
    const consumer = objects.consumer(consumerId);
    expect(consumer.type).toBe('simulcast');

    // Sized before the browser is ready: the layer is chosen, but it stays paused.
    await room.setConsumerSize('bob', consumerId, 640, 360);
    expect(consumer.preferredLayers?.spatialLayer).toBe(1);
    expect(consumer.paused).toBe(true);
    await room.resumeConsumer('bob', consumerId);
    expect(consumer.paused).toBe(false);

    await room.setConsumerSize('bob', consumerId, 320, 180);
    expect(consumer.preferredLayers?.spatialLayer).toBe(0);
    await room.setConsumerSize('bob', consumerId, 1920, 1080);
    expect(consumer.preferredLayers?.spatialLayer).toBe(2);

    await room.setConsumerSize('bob', consumerId, 0, 0);
    expect(consumer.paused).toBe(true);
    // Hide and show in quick succession end shown.
    await Promise.all([room.setConsumerSize('bob', consumerId, 0, 0), room.setConsumerSize('bob', consumerId, 640, 360)]);
    expect(consumer.paused).toBe(false);
    expect(consumer.preferredLayers?.spatialLayer).toBe(1);
  });

  it('never pauses audio for a hidden tile', async () => {
    const phone = await produceOpus('phone', 5555);
    await viewer('bob');
    const { consumerId } = (await room.consume('bob', phone.producerId))!;
    await room.resumeConsumer('bob', consumerId);
    await room.setConsumerSize('bob', consumerId, 0, 0);
    expect(objects.consumer(consumerId).paused).toBe(false);
  });

  it('lets a peer touch only its own transports, producers and consumers', async () => {
    const aliceSend = await room.createWebRtcTransport('alice', 'send');
    const phone = await produceOpus('phone', 6666);
    await viewer('bob');
    const bobConsumer = (await room.consume('bob', phone.producerId))!;

    await expectMediaError(room.connectTransport('bob', aliceSend.id, { fingerprints: [] }), 'NOT_ALLOWED');
    await expectMediaError(room.restartIce('bob', aliceSend.id), 'NOT_ALLOWED');
    await expectMediaError(room.produce('bob', aliceSend.id, 'audio', opus(1), { source: 'microphone' }), 'NOT_ALLOWED');
    await expectMediaError(room.closeProducer('bob', phone.producerId), 'NOT_ALLOWED');
    await expectMediaError(room.resumeConsumer('alice', bobConsumer.consumerId), 'NOT_ALLOWED');
    await expectMediaError(room.setConsumerSize('phone', bobConsumer.consumerId, 10, 10), 'NOT_ALLOWED');

    await expectMediaError(room.connectTransport('bob', 'no-such-transport', { fingerprints: [] }), 'UNKNOWN_TRANSPORT');
    await expectMediaError(room.closeProducer('bob', 'no-such-producer'), 'UNKNOWN_PRODUCER');
    await expectMediaError(room.setProducerPaused('no-such-producer', true), 'UNKNOWN_PRODUCER');
    await expectMediaError(room.consume('bob', 'no-such-producer'), 'UNKNOWN_PRODUCER');
    await expectMediaError(room.resumeConsumer('bob', 'no-such-consumer'), 'UNKNOWN_CONSUMER');
    await expectMediaError(room.setConsumerSize('bob', 'no-such-consumer', 1, 1), 'UNKNOWN_CONSUMER');
    await expectMediaError(room.connectTransport('mallory', aliceSend.id, { fingerprints: [] }), 'UNKNOWN_PEER');
    await expectMediaError(room.resumeConsumer('mallory', bobConsumer.consumerId), 'UNKNOWN_PEER');
    expect(room.producersOf('mallory')).toEqual([]);
    room.closePeer('mallory');

    // A plain transport has no DTLS to connect or ICE to restart.
    await expectMediaError(room.restartIce('phone', phone.transportId), 'NOT_ALLOWED');
  });

  it('refuses sends that make no sense', async () => {
    const recv = await viewer('bob');
    await expectMediaError(room.produce('bob', recv, 'audio', opus(1), { source: 'microphone' }), 'NOT_ALLOWED');
    const send = await room.createWebRtcTransport('bob', 'send');
    await expectMediaError(room.produce('bob', send.id, 'video', vp8Simulcast([1, 2, 3]), { source: 'microphone' }), 'NOT_ALLOWED');
    await expectMediaError(room.produce('bob', send.id, 'audio', opus(1), { source: 'camera' }), 'NOT_ALLOWED');
    await room.produce('bob', send.id, 'audio', opus(1), { source: 'microphone' });
    await expectMediaError(room.produce('bob', send.id, 'audio', opus(2), { source: 'microphone' }), 'NOT_ALLOWED');
    // Two cameras at once: one of them is refused.
    const cameras = await Promise.allSettled([
      room.produce('bob', send.id, 'video', vp8Simulcast([21, 22, 23]), { source: 'camera' }),
      room.produce('bob', send.id, 'video', vp8Simulcast([31, 32, 33]), { source: 'camera' }),
    ]);
    expect(cameras.map((c) => c.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(
      room
        .producersOf('bob')
        .map((p) => p.source)
        .sort(),
    ).toEqual(['camera', 'microphone']);
  });

  it('turns malformed RTP parameters into MEDIA_FAILED and keeps working', async () => {
    const send = await room.createWebRtcTransport('alice', 'send');
    const malformed: unknown[] = [
      { codecs: 'opus' },
      { codecs: [] },
      { codecs: [{ mimeType: 'audio/opus', payloadType: 'x', clockRate: 48000 }] },
      { codecs: [{ mimeType: 'audio/nonsense', payloadType: 100, clockRate: 48000 }], encodings: [{ ssrc: 1 }] },
      { codecs: [{ mimeType: 'video/VP8', payloadType: 100, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
    ];
    for (const rtpParameters of malformed) {
      const error = await expectMediaError(
        room.produce('alice', send.id, 'audio', rtpParameters as types.RtpParameters, { source: 'microphone' }),
        'MEDIA_FAILED',
      );
      expect(error.message.length).toBeGreaterThan(0);
    }
    expect(room.producersOf('alice')).toEqual([]);
    const producerId = await room.produce('alice', send.id, 'audio', opus(7), { source: 'microphone' });
    expect(room.producersOf('alice').map((p) => p.id)).toEqual([producerId]);
  });

  it('replaces a peer’s transport when it creates another for the same direction', async () => {
    const closed = collect('consumerClosed');
    const phone = await produceOpus('phone', 8888);
    const firstRecv = await viewer('bob');
    const consumer = (await room.consume('bob', phone.producerId))!;

    const secondRecv = (await room.createWebRtcTransport('bob', 'recv')).id;
    await expectMediaError(room.restartIce('bob', firstRecv), 'UNKNOWN_TRANSPORT');
    await expectMediaError(room.resumeConsumer('bob', consumer.consumerId), 'UNKNOWN_CONSUMER');
    // The viewer set up again itself, so nothing is announced; it consumes anew on the new transport.
    expect(closed).toEqual([]);
    const again = (await room.consume('bob', phone.producerId))!;
    expect(objects.workerOfTransport(secondRecv)).toBe(objects.workerOfTransport(firstRecv));
    expect(again.consumerId).not.toBe(consumer.consumerId);
  });

  it('names the active speaker from the audio level, and nobody once they mute', async () => {
    const speakers = collect('activeSpeaker');
    // A lone microphone is dominant at once; the talker below has to take over from it.
    const quiet = await produceOpus('quiet', 9002);
    await eventually(() => (speakers.at(-1)?.peerId === 'quiet' ? true : undefined));
    const loud = await produceOpus('loud', 9001);
    // 20 ms frames. The talker's level rises and falls like speech: a steady
    // level reads as background noise to the dominant speaker algorithm.
    const deadline = Date.now() + 5_000;
    for (let frame = 0; speakers.at(-1)?.peerId !== 'loud' && Date.now() < deadline; frame++) {
      loud.sendFrame(frame % 10 < 5 ? 5 + (frame % 7) : 100);
      quiet.sendFrame(127);
      await sleep(20);
    }
    expect(speakers.at(-1)).toEqual({ peerId: 'loud' });

    await room.setProducerPaused(loud.producerId, true);
    expect(speakers.at(-1)).toEqual({ peerId: null });
    // Nobody else spoke meanwhile, so mediasoup still has them as dominant and would not say so again.
    await room.setProducerPaused(loud.producerId, false);
    expect(speakers.at(-1)).toEqual({ peerId: 'loud' });
    room.closePeer('loud');
    expect(speakers.at(-1)).toEqual({ peerId: null });
  });

  it('refuses everything once closed', async () => {
    const closed = once(room, 'close');
    room.close();
    await closed;
    expect(plane.findRoom(room.id)).toBeUndefined();
    await expectMediaError(room.createWebRtcTransport('alice', 'send'), 'MEDIA_FAILED');
    await expectMediaError(() => room.setRtpCapabilities('alice', room.rtpCapabilities), 'MEDIA_FAILED');
  });
});
