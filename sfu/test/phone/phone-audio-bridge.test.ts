import type * as dgram from 'node:dgram';
import { threadId } from 'node:worker_threads';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { MediaPlane, type MediaRoom } from '../../src';
import { decodeG711, type G711Law } from '../../src/phone/g711';
import { PhoneAudioBridge } from '../../src/phone/phone-audio-bridge';
import { PhoneMixThreads } from '../../src/phone/phone-mix-threads';
import type { PhoneBridgeRoom } from '../../src/phone/phone-bridge-room';
import { G722Decoder } from '../../src/phone/g722';
import { G722, PCMA, PCMU, type PhoneCodec } from '../../src/phone/phone-codec';
import { phoneRtpCapabilities } from '../../src/phone/room-audio-mix';
import { AUDIO_LEVEL_EXTENSION_URI, emptyReceiverReport, parseRtpPacket, readAudioLevel, type RtpPacket } from '../../src/phone/rtp-packet';
import { RtpSession } from '../../src/phone/rtp-session';
import { LOOPBACK, eventually, freeLoopbackPorts, loopbackUdpSocket, sleep } from '../support/loopback';
import { db, dominantFrequency, toFloat, toneAmplitude } from './support/audio';
import { decodeOpusPackets, g711TonePackets, g722TonePackets, opusTonePackets } from './support/streams';

let plane: MediaPlane;
let mixThreads: PhoneMixThreads;
let room: MediaRoom;
let roomCount = 0;
const sockets: dgram.Socket[] = [];
const bridges: PhoneAudioBridge[] = [];
/** Each bridge's call RTP session, which the test owns (as the server's phone call does). */
const sessions = new Map<PhoneAudioBridge, RtpSession>();
const pacers: NodeJS.Timeout[] = [];

beforeAll(async () => {
  const rtcPort = await freeLoopbackPorts(1);
  plane = await MediaPlane.create({ numWorkers: 1, listenIp: LOOPBACK, rtcPort, logLevel: 'error' });
});

afterAll(async () => {
  await plane.close();
});

beforeEach(async () => {
  room = await plane.room(`phone-room-${++roomCount}`);
});

afterEach(() => {
  for (const pacer of pacers.splice(0)) clearInterval(pacer);
  for (const bridge of bridges.splice(0)) bridge.close();
  for (const session of sessions.values()) session.close();
  sessions.clear();
  for (const socket of sockets.splice(0)) socket.close();
  room.close();
});

async function socket(): Promise<dgram.Socket> {
  const created = await loopbackUdpSocket();
  sockets.push(created);
  return created;
}

/** A call's RTP session on loopback for `codec`, without telephone-events. */
function callRtp(codec: PhoneCodec): Promise<RtpSession> {
  return RtpSession.open(LOOPBACK, 0, {
    payloadType: codec.payloadType,
    telephoneEventPayloadType: null,
    remoteAddress: '0.0.0.0',
    remotePort: 0,
    direction: 'sendrecv',
    onHold: false,
  });
}

async function bridge(peerId: string, codec: PhoneCodec = PCMU, bridgeRoom: PhoneBridgeRoom = room): Promise<PhoneAudioBridge> {
  const caller = await callRtp(codec);
  const created = await PhoneAudioBridge.create({ room: bridgeRoom, peerId, codec, caller, mixThreads }).catch((error: unknown) => {
    caller.close();
    throw error;
  });
  bridges.push(created);
  sessions.set(created, caller);
  return created;
}

function sessionOf(bridge: PhoneAudioBridge): RtpSession {
  return sessions.get(bridge)!;
}

/** Sends one datagram every 20 ms, as a phone or a browser does, looping over `datagrams`. */
function pace(send: (datagram: Buffer) => void, datagrams: Buffer[]): void {
  let next = 0;
  pacers.push(
    setInterval(() => {
      send(datagrams[next % datagrams.length]!);
      next++;
    }, 20),
  );
}

/** A phone: a UDP socket that sends a G.711 tone to the bridge and keeps what the bridge sends back. */
async function fakeCaller(to: PhoneAudioBridge, frequency: number, law: G711Law = 'mulaw', made?: Buffer[]) {
  const phone = await socket();
  const received: RtpPacket[] = [];
  phone.on('message', (datagram) => received.push(parseRtpPacket(datagram)));
  // 10 s of tone: sequence numbers and timestamps go on, unlike a loop of a short clip.
  const packets = made ?? g711TonePackets({ law, frequency, frames: 500 });
  pace((datagram) => phone.send(datagram, sessionOf(to).localPort, LOOPBACK), packets);
  return { phone, received };
}

/** A participant sending an Opus tone into the room through a plain transport (a browser stand-in). */
async function opusSpeaker(peerId: string, frequency: number) {
  const { id, ip, port } = await room.createPlainTransport(peerId, { comedia: true });
  const ssrc = 0x5000 + roomCount;
  const producerId = await room.produce(
    peerId,
    id,
    'audio',
    {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
    },
    { source: 'microphone' },
  );
  const sender = await socket();
  pace((datagram) => sender.send(datagram, port, ip), opusTonePackets({ frequency, frames: 500, ssrc, levelId: 1, level: 20 }));
  return producerId;
}

/** A browser-less listener: a plain transport in the room consuming `producerId`, its RTP kept. */
async function plainListener(peerId: string, producerId: string): Promise<RtpPacket[] & { levelExtensionId?: number }> {
  room.setRtpCapabilities(peerId, phoneRtpCapabilities(room.rtpCapabilities));
  const { ip, port } = await room.createPlainTransport(peerId, { comedia: true });
  const ear = await socket();
  const received: RtpPacket[] & { levelExtensionId?: number } = [];
  ear.on('message', (datagram) => {
    if (datagram[1]! < 192 || datagram[1]! > 223) received.push(parseRtpPacket(datagram));
  });
  ear.send(emptyReceiverReport(1), port, ip);
  const consumer = await room.consume(peerId, producerId);
  expect(consumer).not.toBeNull();
  received.levelExtensionId = consumer!.rtpParameters.headerExtensions?.find((e) => e.uri === AUDIO_LEVEL_EXTENSION_URI)?.id;
  await room.resumeConsumer(peerId, consumer!.consumerId);
  return received;
}

function g711Audio(packets: RtpPacket[], law: G711Law = 'mulaw'): Float32Array {
  return toFloat(Int16Array.from(packets.flatMap((packet) => [...decodeG711(law, packet.payload)])));
}

function expectConsecutive(packets: RtpPacket[], ticksPerPacket: number): void {
  for (let i = 1; i < packets.length; i++) {
    expect(packets[i]!.ssrc).toBe(packets[0]!.ssrc);
    expect(packets[i]!.sequenceNumber).toBe((packets[i - 1]!.sequenceNumber + 1) & 0xffff);
    // Sent every 20 ms by the room mix's clock; a late timer may skip frames but never repeats or reorders them.
    const step = (packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0;
    expect(step % ticksPerPacket).toBe(0);
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThanOrEqual(6 * ticksPerPacket);
  }
}

// Every test with the mixes on a phone mix thread (the default) and on the main thread (PHONE_MIX_THREADS=0).
describe.each([{ threads: 1 }, { threads: 0 }])('PhoneAudioBridge against mediasoup, mix threads: $threads', ({ threads }) => {
  beforeAll(() => {
    mixThreads = new PhoneMixThreads({ threads });
  });

  afterAll(async () => {
    await mixThreads.stop();
  });

  it("brings a PCMU caller's voice into the room as an Opus microphone that decodes to its tone, and makes it the active speaker", async () => {
    const speakers: Array<string | null> = [];
    room.on('activeSpeaker', ({ peerId }) => speakers.push(peerId));
    const phone = await bridge('phone-a');
    expect(room.producersOf('phone-a')).toEqual([{ id: phone.producerId, kind: 'audio', source: 'microphone', paused: false }]);
    await fakeCaller(phone, 440);
    const heard = await plainListener('ear', phone.producerId);
    // Two seconds after the first half: a stall of the (shared) machine at the start must not decide the tone.
    await eventually(() => (heard.length >= 125 ? true : undefined), 10_000);
    const packets = [...heard].sort((a, b) => ((a.sequenceNumber - b.sequenceNumber) << 16) >> 16).slice(0, 125);
    expect(packets.every((packet) => packet.payloadType === 100)).toBe(true);
    const audio = decodeOpusPackets(packets).subarray(48000 * 0.5);
    expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(440);
    expect(toneAmplitude(audio, 440, 48000)).toBeGreaterThan(0.2);
    // The level the bridge measured (a 0.5 full-scale sine: -9 dBov) reaches the room, and with it active speaker.
    expect(readAudioLevel(packets[30]!, heard.levelExtensionId)).toEqual({ level: 9, voice: true });
    await eventually(() => (speakers.includes('phone-a') ? true : undefined), 8000);
  });

  it('lets the caller hear the room as PCMU, every 20 ms, and never itself', async () => {
    const phone = await bridge('phone-a');
    const caller = await fakeCaller(phone, 440);
    const speaker = await opusSpeaker('browser-b', 1000);
    expect(await phone.hear(speaker)).toBe(true);
    // Its own producer: the room will not have it consumed.
    expect(await phone.hear(phone.producerId)).toBe(false);
    await eventually(() => (caller.received.length >= 80 ? true : undefined), 8000);
    expect(sessionOf(phone).latched).toEqual({ address: LOOPBACK, port: caller.phone.address().port });

    const packets = caller.received.slice(0, 80);
    expect(packets.every((packet) => packet.payloadType === 0 && packet.payload.length === 160)).toBe(true);
    expectConsecutive(packets, 160);
    // Once the 1 kHz speaker came through: 1 kHz, and no trace of the caller's own 440 Hz.
    const audio = g711Audio(packets.slice(40));
    expect(dominantFrequency(audio, 8000)).toBe(1000);
    const tone = toneAmplitude(audio, 1000, 8000);
    expect(tone).toBeGreaterThan(0.2);
    expect(toneAmplitude(audio, 440, 8000)).toBeLessThan(tone / 100);
  });

  it('carries a G.722 caller both ways in wideband: its 6 kHz tone reaches the room, it hears a 5 kHz speaker in G.722 and never itself', async () => {
    // Both tones are encoded before the caller starts: 500 frames take a while on a loaded machine, and with the mix on this thread that would be a stall in what the caller hears.
    const voice = g722TonePackets({ frequency: 6000, frames: 500 });
    const phone = await bridge('phone-a', G722);
    const speaker = await opusSpeaker('browser-b', 5000);
    expect(await phone.hear(speaker)).toBe(true);
    const caller = await fakeCaller(phone, 6000, 'mulaw', voice);
    const heard = await plainListener('ear', phone.producerId);
    await eventually(() => (heard.length >= 125 && caller.received.length >= 90 ? true : undefined), 10_000);

    const intoRoom = [...heard].sort((a, b) => ((a.sequenceNumber - b.sequenceNumber) << 16) >> 16).slice(0, 125);
    const roomAudio = decodeOpusPackets(intoRoom).subarray(48000 * 0.5);
    expect(Math.abs(dominantFrequency(roomAudio, 48000, 100, 7900) - 6000)).toBeLessThanOrEqual(10);
    expect(toneAmplitude(roomAudio, 6000, 48000)).toBeGreaterThan(0.2);

    const packets = caller.received.slice(0, 90);
    expect(packets.every((packet) => packet.payloadType === 9 && packet.payload.length === 160)).toBe(true);
    // RFC 3551: G.722's RTP clock is 8 kHz, 160 ticks per 20 ms, although the audio is 16 kHz.
    expectConsecutive(packets, 160);
    const decoder = new G722Decoder();
    const toCaller = toFloat(Int16Array.from(packets.flatMap((packet) => [...decoder.decode(packet.payload)]))).subarray(320 * 50);
    expect(Math.abs(dominantFrequency(toCaller, 16000, 100, 7900) - 5000)).toBeLessThanOrEqual(10);
    const tone = toneAmplitude(toCaller, 5000, 16000);
    expect(tone).toBeGreaterThan(0.2);
    expect(toneAmplitude(toCaller, 6000, 16000)).toBeLessThan(tone / 100);
  });

  it('connects two callers through the one room mix: each hears the other, its own voice more than 40 dB down', async () => {
    const a = await bridge('phone-a', PCMU);
    const b = await bridge('phone-b', PCMA);
    expect(a.roomMix).toBe(b.roomMix);
    const callerA = await fakeCaller(a, 440, 'mulaw');
    const callerB = await fakeCaller(b, 660, 'alaw');
    expect(await a.hear(b.producerId)).toBe(true);
    expect(await b.hear(a.producerId)).toBe(true);
    await eventually(() => (callerA.received.length >= 90 && callerB.received.length >= 90 ? true : undefined), 8000);
    const heardByA = g711Audio(callerA.received.slice(50, 90), 'mulaw');
    const heardByB = g711Audio(callerB.received.slice(50, 90), 'alaw');
    expect(dominantFrequency(heardByA, 8000)).toBe(660);
    expect(dominantFrequency(heardByB, 8000)).toBe(440);
    expect(toneAmplitude(heardByA, 660, 8000)).toBeGreaterThan(0.2);
    expect(toneAmplitude(heardByB, 440, 8000)).toBeGreaterThan(0.2);
    expect(db(toneAmplitude(heardByA, 660, 8000) / toneAmplitude(heardByA, 440, 8000))).toBeGreaterThan(40);
    expect(db(toneAmplitude(heardByB, 440, 8000) / toneAmplitude(heardByB, 660, 8000))).toBeGreaterThan(40);
    expect(callerB.received.every((packet) => packet.payloadType === 8)).toBe(true);
    // Both producers consumed once, by the mix.
    expect((await a.roomMix.counters()).streams).toEqual({ [a.producerId]: expect.anything(), [b.producerId]: expect.anything() });
  });

  it("takes a muted caller out of the others' mix", async () => {
    const [a, b, c] = [await bridge('phone-a'), await bridge('phone-b'), await bridge('phone-c')];
    await fakeCaller(a, 440);
    await fakeCaller(b, 660);
    const callerC = await fakeCaller(c, 1000);
    for (const listener of [a, b, c]) for (const other of [a, b, c]) if (other !== listener) await listener.hear(other.producerId);
    // Past the jitter buffers' first moments of every stream (longer on a busy machine): half a
    // second in which C hears both others.
    let start = callerC.received.length + 20;
    const before = await eventually(() => {
      if (callerC.received.length < start + 25) return undefined;
      const window = g711Audio(callerC.received.slice(start, start + 25));
      start += 25;
      return toneAmplitude(window, 440, 8000) > 0.2 && toneAmplitude(window, 660, 8000) > 0.2 ? window : undefined;
    }, 8000);
    expect(toneAmplitude(before, 440, 8000)).toBeGreaterThan(0.2);
    await a.setMuted(true);
    // The jitter buffer plays out what it holds, then the stream is idle: from then on, half a second
    // in which the muted voice is more than 40 dB below the one still talking (and so is C's own).
    let from = callerC.received.length;
    const after = await eventually(() => {
      if (callerC.received.length < from + 25) return undefined;
      const window = g711Audio(callerC.received.slice(from, from + 25));
      from += 25;
      // A window with a stall in it (skipped frames on a busy machine) smears the tones: the next one.
      const talking = toneAmplitude(window, 660, 8000);
      return toneAmplitude(window, 440, 8000) < talking / 100 && toneAmplitude(window, 1000, 8000) < talking / 100 ? window : undefined;
    }, 8000);
    const talking = toneAmplitude(after, 660, 8000);
    expect(talking).toBeGreaterThan(0.1);
    expect(toneAmplitude(after, 1000, 8000)).toBeLessThan(talking / 100);
  });

  it('plays only silence to a caller that was not admitted (never told to hear), while the others hear each other', async () => {
    const a = await bridge('phone-a');
    const b = await bridge('phone-b');
    const waiting = await bridge('phone-waiting');
    await fakeCaller(a, 440);
    const callerB = await fakeCaller(b, 660);
    const callerW = await fakeCaller(waiting, 1000);
    expect(await b.hear(a.producerId)).toBe(true);
    // Another caller hears the waiting one: its voice is in the room, the room is not in its ear.
    expect(await a.hear(waiting.producerId)).toBe(true);
    const start = callerB.received.length + 20;
    await eventually(() => (callerB.received.length >= start + 25 && callerW.received.length >= 60 ? true : undefined), 8000);
    expect(toneAmplitude(g711Audio(callerB.received.slice(start, start + 25)), 440, 8000)).toBeGreaterThan(0.2);
    expect(callerW.received.every((packet) => packet.payload.every((byte) => byte === 0xff))).toBe(true);
  });

  it('opens one mix per room with the first caller and closes it with the last; a reset room gets a new one', async () => {
    const a = await bridge('phone-a');
    const b = await bridge('phone-b');
    const first = a.roomMix;
    expect(b.roomMix).toBe(first);
    expect(first.callerCount).toBe(2);
    a.close();
    expect(first.callerCount).toBe(1);
    // The worker died and the room moved: the server rebuilds its bridges, on a new mix.
    room.emit('reset');
    const c = await bridge('phone-c');
    expect(c.roomMix).not.toBe(first);
    expect(await first.hear(c.producerId)).toBe(false);
    b.close();
    c.close();
    const d = await bridge('phone-d');
    expect(d.roomMix).not.toBe(c.roomMix);
    expect(d.roomMix.callerCount).toBe(1);
  });

  it('passes an Opus caller through to the room and sends it the room in Opus', async () => {
    const opus: PhoneCodec = { name: 'opus', payloadType: 111 };
    const phone = await bridge('phone-a', opus);
    const callerSocket = await socket();
    const received: RtpPacket[] = [];
    callerSocket.on('message', (datagram) => received.push(parseRtpPacket(datagram)));
    const to = sessionOf(phone).localPort;
    pace((datagram) => callerSocket.send(datagram, to, LOOPBACK), opusTonePackets({ frequency: 440, frames: 500, ssrc: 77, payloadType: 111 }));
    const heard = await plainListener('ear', phone.producerId);
    expect(await phone.hear(await opusSpeaker('browser-b', 1000))).toBe(true);
    await eventually(() => (heard.length >= 40 && received.length >= 60 ? true : undefined), 8000);

    const intoRoom = [...heard].sort((a, b) => ((a.sequenceNumber - b.sequenceNumber) << 16) >> 16).slice(0, 40);
    expect(dominantFrequency(decodeOpusPackets(intoRoom).subarray(4800), 48000, 100, 4000)).toBe(440);
    expect(readAudioLevel(intoRoom[20]!, heard.levelExtensionId)!.level).toBeLessThan(20);

    const toCaller = received.slice(0, 60);
    expect(toCaller.every((packet) => packet.payloadType === 111)).toBe(true);
    expectConsecutive(toCaller, 960);
    const audio = decodeOpusPackets(toCaller.slice(30));
    expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(1000);
    expect(toneAmplitude(audio, 440, 48000)).toBeLessThan(toneAmplitude(audio, 1000, 48000) / 100);
  });

  it("mutes by pausing the caller's producer", async () => {
    const phone = await bridge('phone-a');
    await fakeCaller(phone, 440);
    const heard = await plainListener('ear', phone.producerId);
    await eventually(() => (heard.length >= 5 ? true : undefined), 8000);
    await phone.setMuted(true);
    expect(room.producersOf('phone-a')[0]!.paused).toBe(true);
    await sleep(100);
    const whileMuted = heard.length;
    await sleep(300);
    expect(heard.length).toBe(whileMuted);
    await phone.setMuted(false);
    expect(room.producersOf('phone-a')[0]!.paused).toBe(false);
    await eventually(() => (heard.length > whileMuted + 5 ? true : undefined), 8000);
  });

  it('drops malformed and unexpected datagrams on the call socket and carries on', async () => {
    const phone = await bridge('phone-a');
    const session = sessionOf(phone);
    const caller = await fakeCaller(phone, 440);
    await eventually(() => (session.latched?.port === caller.phone.address().port ? true : undefined), 8000);
    const stranger = await socket();
    const to = { port: session.localPort, ip: LOOPBACK };
    const junk = [
      Buffer.alloc(0),
      Buffer.from('hello'),
      Buffer.from('800000', 'hex'),
      Buffer.from('8f000001000000000000000100', 'hex'),
      emptyReceiverReport(9),
      // telephone-event (DTMF), payload type 101.
      Buffer.from('80650001000000000000000105000a00', 'hex'),
    ];
    for (const datagram of junk) caller.phone.send(datagram, to.port, to.ip);
    // A valid packet from someone else while the caller is talking: the socket is the caller's, it never arrives.
    stranger.send(g711TonePackets({ frequency: 300, frames: 1 })[0]!, to.port, to.ip);
    await eventually(() => {
      const { dropped } = session.stats();
      return dropped.malformed >= 4 && dropped.rtcp >= 1 && dropped.otherPayloadType >= 1 ? true : undefined;
    }, 8000);
    expect(session.latched?.port).toBe(caller.phone.address().port);
    const before = caller.received.length;
    await eventually(() => (caller.received.length > before + 5 ? true : undefined), 8000);
    expect((await phone.stats()).tickErrors).toBe(0);
  });

  it("closes: clock stopped, the caller gone from the room, the call's RTP session left to its owner", async () => {
    const phone = await bridge('phone-a');
    const caller = await fakeCaller(phone, 440);
    await eventually(() => (caller.received.length >= 3 ? true : undefined), 8000);
    let closed = 0;
    phone.on('close', () => closed++);
    phone.close();
    phone.close();
    expect(closed).toBe(1);
    expect(room.producersOf('phone-a')).toEqual([]);
    await sleep(60);
    const count = caller.received.length;
    await sleep(200);
    expect(caller.received.length).toBe(count);
    // The socket is the session's: still open (address() throws on a closed one).
    expect(sessionOf(phone).localPort).toBeGreaterThan(0);
  });

  it('is driven by MediaRoom as it is: the caller is heard in the room and hears the room', async () => {
    // Type-level: MediaRoom offers everything the bridge calls.
    const asBridgeRoom: PhoneBridgeRoom = room;
    const phone = await bridge('phone-a', PCMU, asBridgeRoom);
    const caller = await fakeCaller(phone, 440);
    const heard = await plainListener('ear', phone.producerId);
    const speaker = await opusSpeaker('browser-b', 1000);
    expect(await phone.hear(speaker)).toBe(true);
    // Consumed once, by the room's mix, however often asked; and never the caller's own voice.
    expect(await phone.hear(speaker)).toBe(true);
    expect(await room.consume(phone.roomMix.peerId, speaker)).toBeNull();
    expect(await phone.hear(phone.producerId)).toBe(false);
    // What the caller got before this, and in the jitter buffer's first moments, is silence.
    const from = caller.received.length + 15;
    await eventually(() => (heard.length >= 10 && caller.received.length >= from + 30 ? true : undefined), 8000);
    const audio = g711Audio(caller.received.slice(from, from + 30));
    expect(dominantFrequency(audio, 8000)).toBe(1000);
    expect(toneAmplitude(audio, 1000, 8000)).toBeGreaterThan(0.2);
  });

  it(
    threads === 0 ? 'mixes on the calling thread' : 'mixes on a thread of its own, which keeps its 20 ms frames while the main thread is held up',
    async () => {
      const a = await bridge('phone-a');
      const b = await bridge('phone-b');
      const callerB = await fakeCaller(b, 660);
      await fakeCaller(a, 440);
      expect(await b.hear(a.producerId)).toBe(true);
      await eventually(() => (callerB.received.length >= 20 ? true : undefined), 8000);
      const stats = await a.roomMix.takeStats();
      if (threads === 0) {
        expect(stats.threadId).toBe(threadId);
        return;
      }
      expect(stats.threadId).not.toBe(threadId);
      // 300 ms of a busy main thread: the thread goes on making every frame (15 of them) on time.
      await a.roomMix.takeStats();
      const blockedUntil = performance.now() + 300;
      while (performance.now() < blockedUntil);
      const held = await a.roomMix.takeStats();
      expect(held.frames).toBeGreaterThanOrEqual(14);
      // The packets made meanwhile reach the caller once the main thread is free, none lost.
      const before = callerB.received.length;
      await eventually(() => (callerB.received.length >= before + 20 ? true : undefined), 8000);
      expectConsecutive(callerB.received.slice(before - 5), 160);
    },
  );

  it.runIf(threads > 0)('survives its thread dying: the bridges report failed, new bridges get a new thread and hear each other', async () => {
    const a = await bridge('phone-a');
    const b = await bridge('phone-b');
    const failed: string[] = [];
    a.on('failed', () => failed.push('a'));
    b.on('failed', () => failed.push('b'));
    const oldThread = (await a.roomMix.takeStats()).threadId;
    // A bug in the thread: a message it cannot handle throws there, and the thread ends.
    mixThreads.place().notify({ type: 'callerPackets', packets: null as unknown as [] });
    await eventually(() => (failed.length === 2 ? true : undefined), 5000);
    await expect(a.stats()).rejects.toThrow(/phone mix thread/);
    a.close();
    b.close();
    const c = await bridge('phone-c');
    const d = await bridge('phone-d', PCMA);
    expect((await c.roomMix.takeStats()).threadId).not.toBe(oldThread);
    const callerC = await fakeCaller(c, 440);
    const callerD = await fakeCaller(d, 660, 'alaw');
    expect(await c.hear(d.producerId)).toBe(true);
    expect(await d.hear(c.producerId)).toBe(true);
    await eventually(() => (callerC.received.length >= 90 && callerD.received.length >= 90 ? true : undefined), 8000);
    expect(dominantFrequency(g711Audio(callerC.received.slice(50, 90), 'mulaw'), 8000)).toBe(660);
    expect(dominantFrequency(g711Audio(callerD.received.slice(50, 90), 'alaw'), 8000)).toBe(440);
  });
});
