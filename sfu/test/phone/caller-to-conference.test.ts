import { describe, expect, it } from 'vitest';

import { CallerToConference, type CallerToConferenceOptions } from '../../src/phone/caller-to-conference';
import { encodeG711 } from '../../src/phone/g711';
import { OpusFrameDecoder } from '../../src/phone/opus-codec';
import { G722, PCMA, PCMU, type PhoneCodec } from '../../src/phone/phone-codec';
import { readAudioLevel, serializeRtpPacket, type RtpPacket } from '../../src/phone/rtp-packet';
import { db, dominantFrequency, rms, toFloat, toneAmplitude } from './support/audio';
import { decodeOpusPackets, g711TonePackets, g722TonePackets, opusTonePackets, parseAll } from './support/streams';

const CONFERENCE = { payloadType: 100, ssrc: 0xabc, audioLevelExtensionId: 1 };

function callerToConference(codec: PhoneCodec = PCMU, options: Partial<CallerToConferenceOptions> = {}) {
  const sent: Buffer[] = [];
  const path = new CallerToConference({ codec, conference: CONFERENCE, send: (datagram) => sent.push(datagram), ...options });
  return { path, sent };
}

/** 20 ms PCMU packets of 8 kHz samples, as a phone sends them. */
function pcmuPackets(samples: Int16Array): Buffer[] {
  return Array.from({ length: samples.length / 160 }, (_, f) =>
    serializeRtpPacket({
      payloadType: 0,
      sequenceNumber: f,
      timestamp: f * 160,
      ssrc: 0x1234,
      payload: encodeG711('mulaw', samples.subarray(f * 160, (f + 1) * 160)),
    }),
  );
}

/** A syllable: a 200 Hz voice with harmonics rising from -60 dBov to about -20 dBov over 30 ms, held 200 ms, at 8 kHz. */
function syllable(): Int16Array {
  const out = new Int16Array(8000 * 0.3);
  for (let i = 0; i < out.length; i++) {
    const t = i / 8000;
    const envelope = 0.1 * Math.min(1, 10 ** ((-40 * (1 - t / 0.03)) / 20));
    out[i] = Math.round(32767 * envelope * (Math.sin(2 * Math.PI * 200 * t) + 0.5 * Math.sin(2 * Math.PI * 600 * t + 1)));
  }
  return out;
}

/** Decodes Opus RTP packets into a timeline by RTP timestamp (8 kHz), silence where nothing was sent. */
function decodeTimeline(packets: RtpPacket[], samples: number): Float32Array {
  const decoder = new OpusFrameDecoder(8000);
  const out = new Float32Array(samples);
  for (const packet of packets) {
    const at = ((packet.timestamp - packets[0]!.timestamp) >>> 0) / 6;
    if (at >= samples) break;
    const decoded = toFloat(decoder.decode(packet.payload));
    out.set(decoded.subarray(0, Math.min(decoded.length, samples - at)), at);
  }
  return out;
}

/** Feeds a phone's packets, one every `ptimeMs`, and ticks every 20 ms, as the bridge would. */
function run(path: CallerToConference, datagrams: Buffer[], ptimeMs = 20, drop: (n: number) => boolean = () => false): void {
  const packets = parseAll(datagrams);
  const endMs = packets.length * ptimeMs + 200;
  let next = 0;
  for (let frame = 0; frame * 20 < endMs; frame++) {
    const now = frame * 20;
    for (; next < packets.length && next * ptimeMs <= now; next++) if (!drop(next)) path.receive(packets[next]!, next * ptimeMs);
    path.tick({ index: frame, skipped: 0, nowMs: now });
  }
}

describe('CallerToConference', () => {
  it.each([
    ['PCMU', PCMU, 'mulaw'],
    ['PCMA', PCMA, 'alaw'],
  ] as const)('transcodes a %s caller to Opus the room can decode, with the level for active speaker', (_name, codec, law) => {
    const { path, sent } = callerToConference(codec);
    run(path, g711TonePackets({ law, frequency: 440, frames: 50 }));
    const packets = parseAll(sent);
    expect(packets.length).toBeGreaterThanOrEqual(50);
    for (const [i, packet] of packets.entries()) {
      expect(packet).toMatchObject({ payloadType: 100, ssrc: 0xabc });
      if (i > 0) {
        expect(packet.sequenceNumber).toBe((packets[i - 1]!.sequenceNumber + 1) & 0xffff);
        expect(packet.timestamp).toBe((packets[i - 1]!.timestamp + 960) >>> 0);
      }
    }
    expect(packets[0]!.marker).toBe(true);
    // A 0.5 full-scale sine is -9 dBov.
    expect(readAudioLevel(packets[20]!, 1)).toEqual({ level: 9, voice: true });
    const audio = decodeOpusPackets(packets).subarray(48000 * 0.2, 48000 * 0.9);
    expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(440);
    expect(toneAmplitude(audio, 440, 48000)).toBeGreaterThan(0.3);
  });

  it('transcodes a G.722 caller to wideband Opus: a 6 kHz tone, above the telephone band, reaches the room', () => {
    const { path, sent } = callerToConference(G722);
    run(path, g722TonePackets({ frequency: 6000, frames: 50 }));
    const packets = parseAll(sent);
    expect(packets.length).toBeGreaterThanOrEqual(50);
    for (let i = 1; i < 49; i++) expect(packets[i]!.timestamp - packets[i - 1]!.timestamp).toBe(960);
    const audio = decodeOpusPackets(packets).subarray(48000 * 0.2, 48000 * 0.9);
    expect(Math.abs(dominantFrequency(audio, 48000, 100, 7900) - 6000)).toBeLessThanOrEqual(10);
    expect(toneAmplitude(audio, 6000, 48000)).toBeGreaterThan(0.25);
  });

  it('conceals lost G.722 packets and takes 30 ms ones', () => {
    const { path, sent } = callerToConference(G722);
    run(path, g722TonePackets({ frequency: 1000, frames: 34, ptimeMs: 30 }), 30, (n) => n % 10 === 5);
    expect(path.stats().jitter!.concealed).toBeGreaterThanOrEqual(3);
    const audio = decodeOpusPackets(parseAll(sent)).subarray(48000 * 0.2, 48000 * 0.9);
    expect(dominantFrequency(audio, 48000, 100, 7900)).toBe(1000);
  });

  it('takes 10 ms and 30 ms packets as well', () => {
    for (const ptimeMs of [10, 30]) {
      const { path, sent } = callerToConference();
      run(path, g711TonePackets({ frequency: 440, frames: Math.round(1000 / ptimeMs), ptimeMs }), ptimeMs);
      expect(path.stats().jitter).toMatchObject({ late: 0, restarts: 0 });
      const audio = decodeOpusPackets(parseAll(sent)).subarray(48000 * 0.2, 48000 * 0.9);
      expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(440);
    }
  });

  it('conceals lost packets and keeps the stream to the room gapless', () => {
    const { path, sent } = callerToConference();
    run(path, g711TonePackets({ frequency: 440, frames: 50 }), 20, (n) => n % 10 === 5);
    const packets = parseAll(sent);
    expect(path.stats().jitter!.concealed).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < 49; i++) expect(packets[i]!.timestamp - packets[i - 1]!.timestamp).toBe(960);
  });

  it('carries on when the phone starts a new RTP stream (new SSRC, new timestamps)', () => {
    const { path, sent } = callerToConference();
    const first = g711TonePackets({ frequency: 440, frames: 25, ssrc: 1 });
    const second = g711TonePackets({ frequency: 440, frames: 25, ssrc: 2 }).map((datagram) => {
      // Same numbering as the first stream would have had 3 frames on: close enough to confuse a buffer that kept the old one.
      const copy = Buffer.from(datagram);
      copy.writeUInt32BE((copy.readUInt32BE(4) + 25 * 160 - 3 * 160) >>> 0, 4);
      return copy;
    });
    run(path, [...first, ...second]);
    expect(path.stats().jitter!.late).toBe(0);
    const audio = decodeOpusPackets(parseAll(sent)).subarray(48000 * 0.6, 48000 * 0.95);
    expect(dominantFrequency(audio, 48000, 100, 4000)).toBe(440);
  });

  it('sends nothing while muted', () => {
    const { path, sent } = callerToConference();
    path.muted = true;
    run(path, g711TonePackets({ frequency: 440, frames: 20 }));
    expect(sent).toHaveLength(0);
    path.muted = false;
    run(path, g711TonePackets({ frequency: 440, frames: 20 }));
    expect(sent.length).toBeGreaterThan(0);
    expect(parseAll(sent)[0]!.marker).toBe(true);
  });

  it('sends almost nothing for a silent caller: a packet every 400 ms, each one after a gap marked', () => {
    const { path, sent } = callerToConference();
    run(path, pcmuPackets(new Int16Array(8000 * 5)));
    const packets = parseAll(sent);
    // 200 ms at the start (the gate starts as after speech), then one packet per 400 ms.
    expect(packets.length).toBeGreaterThanOrEqual(10 + 11);
    expect(packets.length).toBeLessThanOrEqual(10 + 14);
    expect(path.stats().silentFramesSkipped).toBeGreaterThan(220);
    for (let i = 1; i < packets.length; i++) {
      const step = ((packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0) / 960;
      expect(step).toBeLessThanOrEqual(20);
      expect(packets[i]!.sequenceNumber).toBe((packets[i - 1]!.sequenceNumber + 1) & 0xffff);
      expect(packets[i]!.marker).toBe(step > 1);
      expect(readAudioLevel(packets[i]!, 1)).toEqual({ level: 127, voice: false });
    }
  });

  it('hears a caller from the first syllable after silence, the first packet marked', () => {
    // 10 ms into a frame, and not next to the frame kept alive 400 ms after the last.
    const silenceMs = 1110;
    const signal = new Int16Array(8000 * 2);
    signal.set(syllable(), (silenceMs / 1000) * 8000);
    const gated = callerToConference();
    run(gated.path, pcmuPackets(signal));
    const every = callerToConference(PCMU, { silenceSuppression: false, opusComplexity: 1 });
    run(every.path, pcmuPackets(signal));

    const gatedPackets = parseAll(gated.sent);
    const everyPackets = parseAll(every.sent);
    // The onset's frame (it starts 10 ms into it) is the first of a talkspurt.
    const onsetFrame = Math.floor(silenceMs / 20);
    const first = gatedPackets.find((packet) => ((packet.timestamp - gatedPackets[0]!.timestamp) >>> 0) / 960 === onsetFrame)!;
    expect(first.marker).toBe(true);
    expect(gatedPackets[gatedPackets.indexOf(first) - 1]!.timestamp).toBeLessThan(first.timestamp - 960);

    const heard = decodeTimeline(gatedPackets, signal.length);
    const reference = decodeTimeline(everyPackets, signal.length);
    // Opus delays by 6.5 ms; the first 20 and 40 ms of the syllable as heard, gated or not.
    for (const ms of [20, 40]) {
      const from = (silenceMs / 1000) * 8000 + 52;
      const window = (to: Float32Array): number => rms(to.subarray(from, from + ms * 8));
      expect(window(heard)).toBeGreaterThan(0.005);
      expect(Math.abs(db(window(heard) / window(reference)))).toBeLessThan(1);
    }
    // And nothing of it is missing later either.
    expect(Math.abs(db(rms(heard) / rms(reference)))).toBeLessThan(0.5);
  });

  it('passes Opus through renumbered into its own stream, keeping gaps and adding the level', () => {
    const { path, sent } = callerToConference({ name: 'opus', payloadType: 111 });
    const first = parseAll(opusTonePackets({ frequency: 600, frames: 10, ssrc: 55, payloadType: 111, firstSequenceNumber: 65530 }));
    first.forEach((packet, i) => i !== 4 && path.receive(packet, i * 20));
    // The phone restarts its stream (new SSRC) 100 ms later.
    const second = parseAll(opusTonePackets({ frequency: 600, frames: 3, ssrc: 56, payloadType: 111, firstSequenceNumber: 7, firstTimestamp: 123 }));
    second.forEach((packet, i) => path.receive(packet, 300 + i * 20));
    const out = parseAll(sent);
    expect(out).toHaveLength(12);
    expect(out.every((packet) => packet.ssrc === 0xabc && packet.payloadType === 100)).toBe(true);
    const sequenceSteps = out.slice(1).map((packet, i) => (packet.sequenceNumber - out[i]!.sequenceNumber) & 0xffff);
    // The lost packet shows as a gap of 2; the new stream carries straight on.
    expect(sequenceSteps).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1]);
    // The new stream starts as far on in time as it arrived: 120 ms after the last packet.
    expect(((out[9]!.timestamp - out[8]!.timestamp) >>> 0) / 960).toBe(6);
    expect(out[9]!.payload.equals(second[0]!.payload)).toBe(true);
    expect(readAudioLevel(out[0]!, 1)!.level).toBeLessThan(20);
  });
});
