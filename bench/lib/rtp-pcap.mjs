// RTP streams as pcap files for sipp's `play_pcap_audio`: what a phone sends after the answer,
// RFC 4733 key presses and PCMU speech, generated at run time (Debian's sip-tester ships only a
// PCMA capture, and its one-key DTMF captures all reuse their timestamps, so a repeated key, like
// the second '#', would count as a duplicate of the first).
import { writeFileSync } from 'node:fs';

const SAMPLE_RATE = 8000;
const FRAME_SAMPLES = 160; // 20 ms
const FRAME_US = 20_000;
const PCMU = 0;
const TELEPHONE_EVENT = 101;
const DTMF_EVENTS = { '*': 10, '#': 11 };
/** µ-law of silence. */
const PCMU_SILENCE = 0xff;

/**
 * An RTP packet list on a 20 ms grid, continuing an earlier one (same SSRC, next sequence number
 * and timestamp), so that a call's dial pcap and its speech pcap form one stream.
 */
class RtpTimeline {
  packets = [];
  slot = 0;

  constructor({ ssrc, firstSequence = 1, firstSlot = 0 }) {
    this.ssrc = ssrc;
    this.sequence = firstSequence;
    this.firstSlot = firstSlot;
  }

  get timestamp() {
    return ((this.firstSlot + this.slot) * FRAME_SAMPLES) >>> 0;
  }

  push({ payloadType, payload, marker = false, timestamp = this.timestamp }) {
    this.packets.push({ timeUs: this.slot * FRAME_US, payloadType, payload, marker, timestamp, sequence: this.sequence & 0xffff, ssrc: this.ssrc });
    this.sequence++;
    this.slot++;
  }

  silence(slots) {
    for (let i = 0; i < slots; i++) this.push({ payloadType: PCMU, payload: Buffer.alloc(FRAME_SAMPLES, PCMU_SILENCE) });
  }

  /** One key press: 5 updates (100 ms), then the end packet three times (RFC 4733 §2.5.1.4), all with the event's start timestamp. */
  key(key) {
    const event = DTMF_EVENTS[key] ?? Number(key);
    const start = this.timestamp;
    const payload = (end, duration) => Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
    for (let i = 1; i <= 5; i++) this.push({ payloadType: TELEPHONE_EVENT, payload: payload(false, i * FRAME_SAMPLES), marker: i === 1, timestamp: start });
    for (let i = 0; i < 3; i++) this.push({ payloadType: TELEPHONE_EVENT, payload: payload(true, 5 * FRAME_SAMPLES), timestamp: start });
  }

  /** Where the next timeline picks up. */
  continuation() {
    return { ssrc: this.ssrc, firstSequence: this.sequence, firstSlot: this.firstSlot + this.slot };
  }

  get durationMs() {
    return (this.slot * FRAME_US) / 1000;
  }
}

/**
 * Ten seconds of something like speech, 8 kHz: talkspurts of a few syllables (a voiced buzz
 * whose pitch glides, four harmonics, a 4 Hz syllable envelope) between pauses, so the level
 * moves as a talker's does and the loudest-speaker choice keeps changing.
 */
export function speechLikePcm(pitchHz) {
  const spurts = [
    [0, 1.2],
    [1.6, 3.6],
    [4.4, 5.3],
    [5.6, 7.2],
    [8.2, 9.5],
  ];
  const pcm = new Int16Array(SAMPLE_RATE * 10);
  let phase = 0;
  for (let i = 0; i < pcm.length; i++) {
    const t = i / SAMPLE_RATE;
    const spurt = spurts.find(([from, to]) => t >= from && t < to);
    const f0 = pitchHz * (1 + 0.15 * Math.sin(2 * Math.PI * 0.7 * t));
    phase += (2 * Math.PI * f0) / SAMPLE_RATE;
    if (!spurt) continue;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * (t - spurt[0]));
    const voiced = Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.3 * Math.sin(3 * phase) + 0.2 * Math.sin(4 * phase);
    pcm[i] = Math.round(5000 * syllable * voiced);
  }
  return pcm;
}

/**
 * Ten seconds of an idle phone line, 8 kHz: noise at about −75 dBov, what a caller who listens
 * sends (below the bridge's −70 dBov silence threshold, as a quiet PSTN line is). Seeded, so every
 * run sends the same.
 */
export function lineNoisePcm() {
  const pcm = new Int16Array(SAMPLE_RATE * 10);
  let seed = 0x2545f491;
  const uniform = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  // Sum of four uniforms: near enough to Gaussian; after µ-law about −75 dBov (of a full-scale sine, 23170 RMS).
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round((uniform() + uniform() + uniform() + uniform() - 2) * 6);
  return pcm;
}

/** `pcm` (8 kHz) as 20 ms PCMU payloads, with `encodeMulaw(Int16Array) → Uint8Array`. */
export function pcmuFrames(pcm, encodeMulaw) {
  const frames = [];
  for (let offset = 0; offset + FRAME_SAMPLES <= pcm.length; offset += FRAME_SAMPLES) {
    frames.push(Buffer.from(encodeMulaw(pcm.subarray(offset, offset + FRAME_SAMPLES))));
  }
  return frames;
}

/**
 * A caller's first seconds: half a second of silence (the gateway starts listening for keys only
 * once the ACK is through), then `keys` pressed one after the other, 200 ms apart.
 */
export function dialTimeline(keys, ssrc) {
  const timeline = new RtpTimeline({ ssrc });
  timeline.silence(25);
  for (const key of keys) {
    timeline.key(key);
    timeline.silence(2);
  }
  return timeline;
}

/** `seconds` of the given 20 ms PCMU frames (looped) continuing `after`. */
export function speechTimeline(frames, seconds, after) {
  const timeline = new RtpTimeline(after.continuation());
  const count = Math.round((seconds * 1_000_000) / FRAME_US);
  for (let i = 0; i < count; i++) timeline.push({ payloadType: PCMU, payload: frames[i % frames.length], marker: i === 0 });
  return timeline;
}

/** Writes the timeline as a libpcap file of Ethernet/IPv4/UDP/RTP frames from and to 127.0.0.1:6000 (sipp rewrites addresses and ports). */
export function writeRtpPcap(file, timeline) {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16); // snaplen
  header.writeUInt32LE(1, 20); // Ethernet
  const records = timeline.packets.map((packet) => {
    const frame = ethernetFrame(rtpPacket(packet));
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(packet.timeUs / 1_000_000), 0);
    record.writeUInt32LE(packet.timeUs % 1_000_000, 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return Buffer.concat([record, frame]);
  });
  writeFileSync(file, Buffer.concat([header, ...records]));
}

function rtpPacket({ payloadType, payload, marker, timestamp, sequence, ssrc }) {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | payloadType;
  header.writeUInt16BE(sequence, 2);
  header.writeUInt32BE(timestamp, 4);
  header.writeUInt32BE(ssrc, 8);
  return Buffer.concat([header, payload]);
}

function ethernetFrame(rtp) {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12); // IPv4; the MAC addresses do not matter to sipp
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6000, 2);
  udp.writeUInt16BE(8 + rtp.length, 4); // checksum 0: sipp computes its own
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udp.length + rtp.length, 2);
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  ip.writeUInt32BE(0x7f000001, 12);
  ip.writeUInt32BE(0x7f000001, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  return Buffer.concat([ethernet, ip, udp, rtp]);
}

function ipChecksum(header) {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
