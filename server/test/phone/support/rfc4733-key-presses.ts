import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDtmfDigit, type DtmfDigit } from '@konferenz/sip';

/**
 * Debian's sip-tester ships one recorded key press per key (0–9, * and #): RTP telephone-events
 * (payload type 101, 8 kHz) over Ethernet/IPv4/UDP, 140 ms long, the end packet sent three times.
 */
const RECORDINGS = '/usr/share/sip-tester';
const RECORDED_NAME: Partial<Record<DtmfDigit, string>> = { '*': 'star', '#': 'pound' };

const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const ETHERNET_HEADER = 14;
const UDP_HEADER = 8;
/** From the start of one key press to the next: the 140 ms press and a short release. */
const KEY_SPACING_MS = 200;
/** What a space in the keys stands for. */
const PAUSE_MS = 500;
/** RTP clock ticks from one press to the next (1 s at 8 kHz), far beyond a press's duration. */
const TICKS_BETWEEN_PRESSES = 8000;

/** Key presses as one pcap for sipp's `play_pcap_audio`, and how long it plays. */
export interface KeyPressRecording {
  pcap: string;
  durationMs: number;
}

/**
 * Writes `keys` (a space is a half-second pause) as one pcap, pieced together from Debian's
 * recordings. Two things differ from playing the stock files one by one:
 * - sipp replays a pcap byte for byte, and a recording always carries the same RTP timestamp,
 *   which is what identifies one key press to a receiver (RFC 4733 §2.5.1): `#` pressed twice
 *   from the stock file is one press sent twice. Here each press gets its own timestamp and the
 *   sequence numbers run on, as from a real phone.
 * - sipp plays each `play_pcap_audio` in a thread of its own that reads the call's one set of
 *   play arguments when it starts; on a busy machine a thread that starts late plays the next
 *   key instead of its own. One pcap whose packet times hold the spacing has a single thread.
 */
export function recordKeyPresses(dir: string, keys: string): KeyPressRecording {
  const records: Buffer[] = [];
  let header: Buffer | undefined;
  let atMs = 0;
  let sequence = 1000;
  let press = 0;
  for (const key of keys) {
    if (key === ' ') {
      atMs += PAUSE_MS;
      continue;
    }
    if (!isDtmfDigit(key)) throw new Error(`no key ${key}`);
    const recording = readFileSync(join(RECORDINGS, `dtmf_2833_${RECORDED_NAME[key] ?? key}.pcap`));
    header ??= recording.subarray(0, PCAP_FILE_HEADER);
    const restamped = restamp(recording, { atMs, sequence, timestamp: 16_000 + press * TICKS_BETWEEN_PRESSES });
    records.push(...restamped.records);
    sequence = restamped.nextSequence;
    atMs += KEY_SPACING_MS;
    press++;
  }
  if (!header) throw new Error('no keys to record');
  const pcap = join(dir, 'key-presses.pcap');
  writeFileSync(pcap, Buffer.concat([header, ...records]));
  return { pcap, durationMs: atMs };
}

/**
 * The packets of one recorded press, starting `atMs` into the capture, with RTP sequence
 * numbers from `sequence` and the press's own RTP timestamp.
 */
function restamp(recording: Buffer, at: { atMs: number; sequence: number; timestamp: number }): { records: Buffer[]; nextSequence: number } {
  const records: Buffer[] = [];
  let first: { micros: number; sequence: number } | undefined;
  let nextSequence = at.sequence;
  for (let offset = PCAP_FILE_HEADER; offset < recording.length;) {
    const length = PCAP_RECORD_HEADER + recording.readUInt32LE(offset + 8);
    const record = Buffer.from(recording.subarray(offset, offset + length));
    offset += length;
    const ip = PCAP_RECORD_HEADER + ETHERNET_HEADER;
    const udp = ip + (record[ip]! & 0x0f) * 4;
    const rtp = udp + UDP_HEADER;
    const micros = record.readUInt32LE(0) * 1_000_000 + record.readUInt32LE(4);
    first ??= { micros, sequence: record.readUInt16BE(rtp + 2) };
    const capturedAt = at.atMs * 1000 + (micros - first.micros);
    record.writeUInt32LE(Math.floor(capturedAt / 1_000_000), 0);
    record.writeUInt32LE(capturedAt % 1_000_000, 4);
    // The repeated end packets keep their shared sequence number.
    const sequence = (at.sequence + record.readUInt16BE(rtp + 2) - first.sequence) & 0xffff;
    record.writeUInt16BE(sequence, rtp + 2);
    record.writeUInt32BE(at.timestamp, rtp + 4);
    // The recorded checksum no longer fits; 0 means "none" for UDP over IPv4.
    record.writeUInt16BE(0, udp + 6);
    records.push(record);
    nextSequence = (sequence + 1) & 0xffff;
  }
  return { records, nextSequence };
}
