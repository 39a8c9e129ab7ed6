import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeG711 } from '@konferenz/sfu';
import { DTMF_DIGITS, isDtmfDigit } from '@konferenz/sip';

/** Row and column frequency of each key (ITU-T Q.23). */
const TONES: Record<string, [number, number]> = {
  '1': [697, 1209],
  '2': [697, 1336],
  '3': [697, 1477],
  A: [697, 1633],
  '4': [770, 1209],
  '5': [770, 1336],
  '6': [770, 1477],
  B: [770, 1633],
  '7': [852, 1209],
  '8': [852, 1336],
  '9': [852, 1477],
  C: [852, 1633],
  '*': [941, 1209],
  '0': [941, 1336],
  '#': [941, 1477],
  D: [941, 1633],
};
const RATE = 8000;
const PACKET_SAMPLES = 160;
/** A key: 100 ms of tone, then 100 ms of silence (what a phone sends for a short press). */
const TONE_PACKETS = 5;
const GAP_PACKETS = 5;
/** What a space in the keys stands for: half a second of silence. */
const PAUSE_PACKETS = 25;
/** Each tone at about −9 dBm0 (µ-law 0 dBm0 is a sine of amplitude ≈ 22 600). */
const TONE_AMPLITUDE = 8000;
const TELEPHONE_EVENT = 101;

export interface KeyToneRecording {
  pcap: string;
  durationMs: number;
}

/**
 * Writes `keys` (a space is a half-second pause) as a pcap of one PCMU RTP stream for sipp's
 * `play_pcap_audio`: DTMF tones in the audio, as an analog gateway sends them, with silence
 * between. With `alsoTelephoneEvents` each key is sent as RFC 4733 events too (payload type
 * 101, start, updates and three end packets), as a phone that does both.
 */
export function recordKeyTones(dir: string, keys: string, { alsoTelephoneEvents = false } = {}): KeyToneRecording {
  const packets: { atMs: number; rtp: Buffer }[] = [];
  let sequence = 2000;
  let packetIndex = 0;
  const audio = (samples: Int16Array) => {
    packets.push({ atMs: packetIndex * 20, rtp: rtpPacket(0, sequence++, packetIndex * PACKET_SAMPLES, Buffer.from(encodeG711('mulaw', samples))) });
    packetIndex++;
  };
  const silence = (count: number) => {
    for (let i = 0; i < count; i++) audio(new Int16Array(PACKET_SAMPLES));
  };
  silence(10);
  for (const key of keys) {
    if (key === ' ') {
      silence(PAUSE_PACKETS);
      continue;
    }
    if (!isDtmfDigit(key)) throw new Error(`no key ${key}`);
    const [row, column] = TONES[key]!;
    const start = packetIndex;
    for (let p = 0; p < TONE_PACKETS; p++) {
      const samples = new Int16Array(PACKET_SAMPLES);
      for (let n = 0; n < PACKET_SAMPLES; n++) {
        const t = (p * PACKET_SAMPLES + n) / RATE;
        samples[n] = Math.round(TONE_AMPLITUDE * (Math.sin(2 * Math.PI * row * t) + Math.sin(2 * Math.PI * column * t)));
      }
      audio(samples);
    }
    if (alsoTelephoneEvents) {
      const event = DTMF_DIGITS.indexOf(key);
      for (let p = 1; p <= TONE_PACKETS + 2; p++) {
        const end = p > TONE_PACKETS;
        const payload = Buffer.alloc(4);
        payload[0] = event;
        payload[1] = (end ? 0x80 : 0) | 10;
        payload.writeUInt16BE(Math.min(p, TONE_PACKETS) * PACKET_SAMPLES, 2);
        packets.push({
          atMs: (start + Math.min(p, TONE_PACKETS)) * 20 + (end ? p - TONE_PACKETS : 0),
          rtp: rtpPacket(TELEPHONE_EVENT, sequence++, start * PACKET_SAMPLES, payload, p === 1),
        });
      }
    }
    silence(GAP_PACKETS);
  }
  silence(10);
  packets.sort((a, b) => a.atMs - b.atMs);
  const pcap = join(dir, 'key-tones.pcap');
  writeFileSync(pcap, Buffer.concat([pcapHeader(), ...packets.map((packet) => pcapRecord(packet.atMs, packet.rtp))]));
  return { pcap, durationMs: packetIndex * 20 };
}

function rtpPacket(payloadType: number, sequence: number, timestamp: number, payload: Buffer, marker = false): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | payloadType;
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(0x4b0f0a55, 8);
  return Buffer.concat([header, payload]);
}

/** libpcap file header: microsecond timestamps, Ethernet frames. */
function pcapHeader(): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  return header;
}

/** One RTP packet in Ethernet/IPv4/UDP (sipp rewrites the addresses and ports when it plays it). */
function pcapRecord(atMs: number, rtp: Buffer): Buffer {
  const ethernet = Buffer.alloc(14);
  ethernet.writeUInt16BE(0x0800, 12);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + rtp.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  ip.set([127, 0, 0, 1], 12);
  ip.set([127, 0, 0, 1], 16);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(6000, 0);
  udp.writeUInt16BE(6000, 2);
  udp.writeUInt16BE(8 + rtp.length, 4);
  const frame = Buffer.concat([ethernet, ip, udp, rtp]);
  const record = Buffer.alloc(16);
  const micros = Math.round(atMs * 1000);
  record.writeUInt32LE(Math.floor(micros / 1_000_000), 0);
  record.writeUInt32LE(micros % 1_000_000, 4);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([record, frame]);
}
