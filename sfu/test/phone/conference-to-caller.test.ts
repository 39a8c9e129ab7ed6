import { describe, expect, it } from 'vitest';

import { ConferenceToCaller, PCMU, decodeG711, type PhoneCodec } from '../../src/phone';
import { dominantFrequency, rms, toFloat, toneAmplitude } from './support/audio';
import { decodeOpusPackets, opusTonePackets, parseAll } from './support/streams';

function conferenceToCaller(codec: PhoneCodec = PCMU) {
  const sent: Buffer[] = [];
  const path = new ConferenceToCaller({ codec, send: (datagram) => sent.push(datagram) });
  return { path, sent };
}

/** One packet per stream every 20 ms, then a tick, for `frames` frames. */
function run(path: ConferenceToCaller, streams: Buffer[][], frames: number): void {
  const parsed = streams.map(parseAll);
  for (let frame = 0; frame < frames; frame++) {
    for (const packets of parsed) if (packets[frame]) path.receive(packets[frame]!, frame * 20);
    path.tick({ index: frame, skipped: 0, nowMs: frame * 20 });
  }
}

function pcmuAudio(datagrams: Buffer[]): Float32Array {
  return toFloat(Int16Array.from(parseAll(datagrams).flatMap((packet) => [...decodeG711('mulaw', packet.payload)])));
}

describe('ConferenceToCaller', () => {
  it('mixes the room to 8 kHz PCMU, one packet every 20 ms with consecutive numbers and timestamps', () => {
    const { path, sent } = conferenceToCaller();
    path.addStream({ ssrc: 1, payloadType: 100, audioLevelExtensionId: 1 });
    run(path, [opusTonePackets({ frequency: 1000, frames: 50, ssrc: 1, levelId: 1 })], 50);
    const packets = parseAll(sent);
    expect(packets).toHaveLength(50);
    for (const [i, packet] of packets.entries()) {
      expect(packet.payloadType).toBe(0);
      expect(packet.payload).toHaveLength(160);
      if (i > 0) {
        expect(packet.sequenceNumber).toBe((packets[i - 1]!.sequenceNumber + 1) & 0xffff);
        expect(packet.timestamp).toBe((packets[i - 1]!.timestamp + 160) >>> 0);
      }
    }
    const audio = pcmuAudio(sent).subarray(8000 * 0.2);
    expect(dominantFrequency(audio, 8000)).toBe(1000);
    expect(toneAmplitude(audio, 1000, 8000)).toBeGreaterThan(0.3);
  });

  it('mixes several speakers', () => {
    const { path, sent } = conferenceToCaller();
    path.addStream({ ssrc: 1, payloadType: 100, audioLevelExtensionId: 1 });
    path.addStream({ ssrc: 2, payloadType: 100, audioLevelExtensionId: 1 });
    run(path, [opusTonePackets({ frequency: 500, frames: 50, ssrc: 1, levelId: 1 }), opusTonePackets({ frequency: 1500, frames: 50, ssrc: 2, levelId: 1 })], 50);
    const audio = pcmuAudio(sent).subarray(8000 * 0.2);
    expect(toneAmplitude(audio, 500, 8000)).toBeGreaterThan(0.25);
    expect(toneAmplitude(audio, 1500, 8000)).toBeGreaterThan(0.25);
  });

  it('measures the level itself when a stream has no audio level extension', () => {
    const { path, sent } = conferenceToCaller();
    path.addStream({ ssrc: 1, payloadType: 100 });
    run(path, [opusTonePackets({ frequency: 1000, frames: 30, ssrc: 1 })], 30);
    expect(dominantFrequency(pcmuAudio(sent).subarray(1600), 8000)).toBe(1000);
  });

  it('sends silence every 20 ms when nobody talks: phones expect a continuous stream', () => {
    const { path, sent } = conferenceToCaller();
    run(path, [], 10);
    expect(sent).toHaveLength(10);
    expect(rms(pcmuAudio(sent))).toBe(0);
  });

  it('drops packets of streams it was not given, or of another payload type', () => {
    const { path, sent } = conferenceToCaller();
    path.addStream({ ssrc: 1, payloadType: 100, audioLevelExtensionId: 1 });
    run(path, [opusTonePackets({ frequency: 1000, frames: 5, ssrc: 9, levelId: 1 }), opusTonePackets({ frequency: 1000, frames: 5, ssrc: 1, payloadType: 101 })], 5);
    expect(path.stats()).toMatchObject({ packetsIn: 0, unknownPackets: 10, packetsOut: 5 });
    expect(rms(pcmuAudio(sent))).toBe(0);
  });

  it('encodes Opus for an Opus caller, 960 ticks a packet', () => {
    const { path, sent } = conferenceToCaller({ name: 'opus', payloadType: 111 });
    path.addStream({ ssrc: 1, payloadType: 100, audioLevelExtensionId: 1 });
    run(path, [opusTonePackets({ frequency: 1000, frames: 40, ssrc: 1, levelId: 1 })], 40);
    const packets = parseAll(sent);
    expect(packets.every((packet) => packet.payloadType === 111)).toBe(true);
    expect((packets[1]!.timestamp - packets[0]!.timestamp) >>> 0).toBe(960);
    expect(dominantFrequency(decodeOpusPackets(packets).subarray(9600), 48000, 100, 4000)).toBe(1000);
  });
});
