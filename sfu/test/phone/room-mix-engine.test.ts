import { describe, expect, it } from 'vitest';

import { decodeG711, type G711Law } from '../../src/phone/g711';
import { MixToCaller } from '../../src/phone/mix-to-caller';
import { PCMA, PCMU, rtpClockRate, type PhoneCodec } from '../../src/phone/phone-codec';
import { RoomMixEngine, type MixListener } from '../../src/phone/room-mix-engine';
import type { RtpPacket } from '../../src/phone/rtp-packet';
import { RtpStreamWriter } from '../../src/phone/rtp-stream-writer';
import { db, dominantFrequency, toFloat, toneAmplitude } from './support/audio';
import { decodeOpusPackets, opusTonePackets, parseAll } from './support/streams';

const LEVEL_ID = 1;
/** The RFC 6464 level of a tone at 0.4 of full scale (-11 dBov) and of silence. */
const TALKING = 11;
const SILENT = 127;

/** A room's mix without the network: streams are lists of RTP datagrams, one per frame; callers keep what they get. */
function offlineRoom(options: { maxSpeakers?: number } = {}) {
  const engine = new RoomMixEngine(options);
  const streams = new Map<string, RtpPacket[]>();
  let nextSsrc = 1000;
  // Encoded once per tone, level and length; each stream gets its own SSRC in a copy (Opus encoding is what takes time).
  const encoded = new Map<string, Buffer[]>();
  return {
    engine,
    /** A participant's microphone as the room forwards it: a tone, talking (level 11) or not (level 127). */
    stream(id: string, frequency: number, frames: number, level = TALKING, withLevel = true): void {
      const ssrc = nextSsrc++;
      engine.addStream({ id, ssrc, payloadType: 100, audioLevelExtensionId: withLevel ? LEVEL_ID : undefined });
      const key = `${frequency}/${frames}/${level}/${withLevel}`;
      let datagrams = encoded.get(key);
      if (!datagrams) {
        datagrams = opusTonePackets({ frequency, frames, ssrc: 0, level, levelId: withLevel ? LEVEL_ID : undefined });
        encoded.set(key, datagrams);
      }
      const own = datagrams.map((datagram) => {
        const copy = Buffer.from(datagram);
        copy.writeUInt32BE(ssrc, 8);
        return copy;
      });
      streams.set(id, parseAll(own));
    },
    /** Stops a stream's packets from frame `from` on (its producer was paused, or the participant went quiet for good). */
    cut(id: string, from: number): void {
      streams.get(id)!.length = from;
    },
    caller(own: string | undefined, codec: PhoneCodec = PCMU, hearsRoom = true) {
      const received: RtpPacket[] = [];
      // The call's stream, as RtpSession.sendAudio writes it: a payload per frame, a gap for skipped frames.
      const writer = new RtpStreamWriter({ payloadType: codec.payloadType, clockRate: rtpClockRate(codec) });
      const samples = rtpClockRate(codec) / 50;
      let frame = 0;
      const output = new MixToCaller({
        codec,
        send: (payload, skipped) => {
          frame += skipped;
          received.push(parseAll([writer.packet(frame++ * samples, payload)])[0]!);
        },
      });
      const listener: MixListener = {
        ownStreamId: own,
        narrowband: output.narrowband,
        hearsRoom,
        beforeMix: () => undefined,
        play: (tick, variant) => output.play(tick, variant),
      };
      engine.addListener(listener);
      return { received };
    },
    run(from: number, to: number): void {
      for (let frame = from; frame < to; frame++) {
        for (const packets of streams.values()) if (packets[frame]) engine.receive(packets[frame]!, frame * 20);
        engine.frame({ index: frame, skipped: 0, nowMs: frame * 20 });
      }
    },
  };
}

function g711Audio(packets: RtpPacket[], law: G711Law = 'mulaw'): Float32Array {
  return toFloat(Int16Array.from(packets.flatMap((packet) => [...decodeG711(law, packet.payload)])));
}

describe('RoomMixEngine', () => {
  it('decodes at most K streams per frame however many silent callers the room has', () => {
    const decodes: number[] = [];
    for (const silentCallers of [4, 40, 200]) {
      const room = offlineRoom({ maxSpeakers: 3 });
      room.stream('speaker', 1000, 100);
      room.caller('speaker');
      for (let i = 0; i < silentCallers; i++) {
        room.stream(`caller-${i}`, 300, 100, SILENT);
        room.caller(`caller-${i}`);
      }
      room.run(0, 10);
      room.engine.takeStats();
      room.run(10, 100);
      const stats = room.engine.takeStats();
      expect(stats).toMatchObject({ frames: 90, listeners: silentCallers + 1, streams: silentCallers + 1 });
      expect(stats.decodesPerFrame).toBeLessThanOrEqual(3);
      decodes.push(stats.decodesPerFrame);
    }
    // One talker: one decode a frame, whatever N.
    expect(decodes).toEqual([1, 1, 1]);
  });

  it('decodes at most K when everybody talks', () => {
    const room = offlineRoom({ maxSpeakers: 3 });
    for (let i = 0; i < 30; i++) {
      room.stream(`caller-${i}`, 300 + 20 * i, 60, 10 + i);
      room.caller(`caller-${i}`);
    }
    room.run(0, 60);
    expect(room.engine.takeStats().decodesPerFrame).toBeLessThanOrEqual(3);
  });

  it('gives a speaker the mix without its own voice: exact silence when it talks alone, as it starts and as it stops', () => {
    const room = offlineRoom();
    room.stream('a', 440, 150);
    room.cut('a', 100);
    room.stream('b', 660, 150, SILENT);
    const a = room.caller('a');
    const b = room.caller('b');
    room.run(0, 150);
    // Not a single non-silent byte for A, through the frames its voice comes in and the filter's memory of its last words.
    expect(a.received).toHaveLength(150);
    expect(a.received.every((packet) => packet.payload.every((byte) => byte === 0xff))).toBe(true);
    const heardByB = g711Audio(b.received.slice(20, 95));
    expect(dominantFrequency(heardByB, 8000)).toBe(440);
    expect(toneAmplitude(heardByB, 440, 8000)).toBeGreaterThan(0.3);
  });

  it('with three talking: each hears the other two, its own voice more than 40 dB down', () => {
    const room = offlineRoom();
    const tones = { a: 440, b: 660, c: 1000 } as const;
    for (const [id, frequency] of Object.entries(tones)) room.stream(id, frequency, 80);
    const callers = { a: room.caller('a'), b: room.caller('b', PCMA), c: room.caller('c') };
    room.run(0, 80);
    for (const [id, caller] of Object.entries(callers)) {
      const audio = g711Audio(caller.received.slice(20), id === 'b' ? 'alaw' : 'mulaw');
      const own = toneAmplitude(audio, tones[id as keyof typeof tones], 8000);
      for (const [other, frequency] of Object.entries(tones)) {
        if (other === id) continue;
        const heard = toneAmplitude(audio, frequency, 8000);
        expect(heard).toBeGreaterThan(0.2);
        expect(db(heard / own)).toBeGreaterThan(40);
      }
    }
  });

  it('gives listeners that hear the same version of the mix byte-identical G.711 payloads, each in its own RTP stream', () => {
    const room = offlineRoom();
    room.stream('speaker', 1000, 40);
    room.stream('x', 300, 40, SILENT);
    room.stream('y', 400, 40, SILENT);
    const x = room.caller('x');
    const y = room.caller('y');
    const browserless = room.caller(undefined);
    const speaker = room.caller('speaker');
    room.run(0, 40);
    for (let frame = 0; frame < 40; frame++) {
      expect(Buffer.compare(x.received[frame]!.payload, y.received[frame]!.payload)).toBe(0);
      expect(Buffer.compare(x.received[frame]!.payload, browserless.received[frame]!.payload)).toBe(0);
    }
    expect(new Set([x, y, browserless].map((caller) => caller.received[0]!.ssrc)).size).toBe(3);
    // The speaker's own version differs (it is silence).
    expect(Buffer.compare(x.received[30]!.payload, speaker.received[30]!.payload)).not.toBe(0);
  });

  it('plays silence to a listener that may not hear the room yet (not admitted), and the room to the others', () => {
    const room = offlineRoom();
    room.stream('speaker', 1000, 60);
    const waiting = room.caller('waiting', PCMU, false);
    const admitted = room.caller('admitted');
    room.run(0, 60);
    expect(waiting.received).toHaveLength(60);
    expect(waiting.received.every((packet) => packet.payload.every((byte) => byte === 0xff))).toBe(true);
    expect(dominantFrequency(g711Audio(admitted.received.slice(20)), 8000)).toBe(1000);
  });

  it('lets a stream that stops (a muted producer) drop out of the mix', () => {
    const room = offlineRoom();
    room.stream('muted', 440, 100);
    room.stream('other', 1000, 100);
    room.cut('muted', 40);
    const listener = room.caller(undefined);
    room.run(0, 100);
    const before = g711Audio(listener.received.slice(20, 40));
    const after = g711Audio(listener.received.slice(60, 100));
    expect(toneAmplitude(before, 440, 8000)).toBeGreaterThan(0.2);
    expect(toneAmplitude(after, 440, 8000)).toBeLessThan(0.002);
    expect(toneAmplitude(after, 1000, 8000)).toBeGreaterThan(0.2);
  });

  it('measures the level itself when a stream has no audio level extension', () => {
    const room = offlineRoom();
    room.stream('speaker', 1000, 30, TALKING, false);
    const listener = room.caller(undefined);
    room.run(0, 30);
    expect(dominantFrequency(g711Audio(listener.received.slice(10)), 8000)).toBe(1000);
  });

  it('drops packets of streams it was not given, or of another payload type', () => {
    const engine = new RoomMixEngine();
    engine.addStream({ id: 'a', ssrc: 1, payloadType: 100, audioLevelExtensionId: 1 });
    for (const datagram of [
      ...opusTonePackets({ frequency: 1000, frames: 5, ssrc: 9 }),
      ...opusTonePackets({ frequency: 1000, frames: 5, ssrc: 1, payloadType: 101 }),
    ]) {
      engine.receive(parseAll([datagram])[0]!, 0);
    }
    expect(engine.counters()).toMatchObject({ packetsIn: 0, unknownPackets: 10 });
  });

  it('sends an Opus caller its version of the mix at 48 kHz, without its own voice', () => {
    const room = offlineRoom();
    room.stream('opus-caller', 440, 60);
    room.stream('speaker', 1000, 60);
    const caller = room.caller('opus-caller', { name: 'opus', payloadType: 111 });
    room.run(0, 60);
    expect(caller.received.every((packet) => packet.payloadType === 111)).toBe(true);
    expect((caller.received[1]!.timestamp - caller.received[0]!.timestamp) >>> 0).toBe(960);
    const audio = decodeOpusPackets(caller.received.slice(20));
    expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(1000);
    expect(db(toneAmplitude(audio, 1000, 48000) / toneAmplitude(audio, 440, 48000))).toBeGreaterThan(40);
  });

  it('carries on when a listener throws', () => {
    const room = offlineRoom();
    room.stream('speaker', 1000, 30);
    room.engine.addListener({
      ownStreamId: undefined,
      narrowband: true,
      hearsRoom: true,
      beforeMix: () => undefined,
      play: () => {
        throw new Error('bug');
      },
    });
    const listener = room.caller(undefined);
    room.run(0, 30);
    expect(listener.received).toHaveLength(30);
    expect(room.engine.counters().listenerErrors).toBe(30);
  });
});

describe('MixToCaller', () => {
  it('sends one packet every 20 ms with consecutive sequence numbers and timestamps', () => {
    const room = offlineRoom();
    room.stream('speaker', 1000, 50);
    const { received } = room.caller(undefined);
    room.run(0, 50);
    expect(received).toHaveLength(50);
    for (const [i, packet] of received.entries()) {
      expect(packet.payloadType).toBe(0);
      expect(packet.payload).toHaveLength(160);
      if (i > 0) {
        expect(packet.sequenceNumber).toBe((received[i - 1]!.sequenceNumber + 1) & 0xffff);
        expect(packet.timestamp).toBe((received[i - 1]!.timestamp + 160) >>> 0);
      }
    }
    const audio = g711Audio(received.slice(10));
    expect(dominantFrequency(audio, 8000)).toBe(1000);
    expect(toneAmplitude(audio, 1000, 8000)).toBeGreaterThan(0.3);
  });
});
