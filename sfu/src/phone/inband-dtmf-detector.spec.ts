import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decodeG711, encodeG711 } from './g711';
import { InbandDtmfDetector } from './inband-dtmf-detector';
import { ECHO_WINDOW_MS, InbandKeys, MAX_INBAND_PAYLOAD_BYTES, MAX_INBAND_SAMPLES_PER_SECOND } from './inband-keys';
import type { RtpPacket } from './rtp-packet';

const RATE = 8000;
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
/** RFC 4733 codes by [row][column], as the detector reports them. */
const GRID = [
  [1, 2, 3, 12],
  [4, 5, 6, 13],
  [7, 8, 9, 14],
  [10, 0, 11, 15],
];
/** Amplitude of a 0 dBm0 sine in 16-bit G.711 samples. */
const ZERO_DBM0 = 32636 * 10 ** (-3.17 / 20);

interface Tone {
  row: number;
  column: number;
  ms: number;
  /** Per-frequency levels in dBm0. */
  rowDbm0?: number;
  columnDbm0?: number;
  /** Relative frequency offset of both tones, e.g. 0.015. */
  offset?: number;
}

/** A random generator with a seed, so noise is the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Tones separated by pauses, through µ-law and back (what the detector gets from a G.711 caller). */
function keyed(tones: Tone[], options: { pauseMs?: number; noiseDbm0?: number } = {}): Int16Array {
  const pause = ((options.pauseMs ?? 60) * RATE) / 1000;
  const total = tones.reduce((sum, tone) => sum + (tone.ms * RATE) / 1000 + pause, pause);
  const signal = new Float64Array(Math.ceil(total));
  let at = pause;
  const phase = Math.random() * 2 * Math.PI;
  for (const tone of tones) {
    const length = (tone.ms * RATE) / 1000;
    const rowHz = ROWS[tone.row]! * (1 + (tone.offset ?? 0));
    const columnHz = COLUMNS[tone.column]! * (1 + (tone.offset ?? 0));
    const rowAmplitude = ZERO_DBM0 * 10 ** ((tone.rowDbm0 ?? -10) / 20);
    const columnAmplitude = ZERO_DBM0 * 10 ** ((tone.columnDbm0 ?? -8) / 20);
    for (let n = 0; n < length; n++) {
      signal[at + n] = rowAmplitude * Math.sin((2 * Math.PI * rowHz * n) / RATE + phase) + columnAmplitude * Math.sin((2 * Math.PI * columnHz * n) / RATE);
    }
    at += length + pause;
  }
  if (options.noiseDbm0 !== undefined) {
    // White noise of that power: uniform in ±a has power a²/3.
    const random = seeded(7);
    const amplitude = ZERO_DBM0 * 10 ** (options.noiseDbm0 / 20) * Math.sqrt(3 / 2);
    for (let n = 0; n < signal.length; n++) signal[n]! += (random() * 2 - 1) * amplitude;
  }
  const linear = Int16Array.from(signal, (x) => Math.max(-32768, Math.min(32767, Math.round(x))));
  return decodeG711('mulaw', encodeG711('mulaw', linear));
}

/** Feeds the audio in 10 ms chunks, as the call path does. */
function detect(samples: Int16Array): number[] {
  const keys: number[] = [];
  const detector = new InbandDtmfDetector((key) => keys.push(key));
  for (let i = 0; i < samples.length; i += 80) detector.push(samples.subarray(i, i + 80));
  return keys;
}

const ALL_KEYS: Tone[] = ROWS.flatMap((_, row) => COLUMNS.map((_, column) => ({ row, column, ms: 50 })));
const ALL_CODES = ALL_KEYS.map((tone) => GRID[tone.row]![tone.column]!);

describe('InbandDtmfDetector', () => {
  it('hears all 16 keys at nominal frequencies, once each', () => {
    expect(detect(keyed(ALL_KEYS))).toEqual(ALL_CODES);
  });

  it('accepts ±1.5 % frequency deviation and rejects ±3.5 %', () => {
    for (const offset of [0.015, -0.015]) {
      expect(detect(keyed(ALL_KEYS.map((tone) => ({ ...tone, offset }))))).toEqual(ALL_CODES);
    }
    for (const offset of [0.035, -0.035]) {
      expect(detect(keyed(ALL_KEYS.map((tone) => ({ ...tone, offset }))))).toEqual([]);
    }
  });

  it('accepts twist up to 8 dB normal and 4 dB reverse, rejects beyond', () => {
    const normal = ALL_KEYS.map((tone) => ({ ...tone, rowDbm0: -16, columnDbm0: -8 }));
    const reverse = ALL_KEYS.map((tone) => ({ ...tone, rowDbm0: -8, columnDbm0: -12 }));
    expect(detect(keyed(normal))).toEqual(ALL_CODES);
    expect(detect(keyed(reverse))).toEqual(ALL_CODES);
    expect(detect(keyed(ALL_KEYS.map((tone) => ({ ...tone, rowDbm0: -20, columnDbm0: -8 }))))).toEqual([]);
    expect(detect(keyed(ALL_KEYS.map((tone) => ({ ...tone, rowDbm0: -8, columnDbm0: -16 }))))).toEqual([]);
  });

  it('hears quiet keys: −25 dBm0 and −31 dBm0 per tone', () => {
    for (const level of [-25, -31]) {
      expect(detect(keyed(ALL_KEYS.map((tone) => ({ ...tone, rowDbm0: level, columnDbm0: level }))))).toEqual(ALL_CODES);
    }
  });

  it('hears keys in white noise 15 dB below the tones', () => {
    expect(detect(keyed(ALL_KEYS, { noiseDbm0: -24 }))).toEqual(ALL_CODES);
  });

  it('always takes a 40 ms tone after a 40 ms pause, never a 25 ms or 20 ms tone', () => {
    for (let trial = 0; trial < 5; trial++) {
      expect(
        detect(
          keyed(
            ALL_KEYS.map((tone) => ({ ...tone, ms: 40 })),
            { pauseMs: 40 },
          ),
        ),
      ).toEqual(ALL_CODES);
      expect(
        detect(
          keyed(
            ALL_KEYS.map((tone) => ({ ...tone, ms: 25 })),
            { pauseMs: 40 },
          ),
        ),
      ).toEqual([]);
      expect(
        detect(
          keyed(
            ALL_KEYS.map((tone) => ({ ...tone, ms: 20 })),
            { pauseMs: 40 },
          ),
        ),
      ).toEqual([]);
    }
  });

  it('counts a long tone once', () => {
    expect(detect(keyed([{ row: 3, column: 2, ms: 2000 }]))).toEqual([11]);
  });
});

/** A call's RtpSession as InbandKeys sees it: µ-law packets from the caller, payloads sent to it; a clock moved by hand. */
class FakeCall extends EventEmitter<{ audio: [RtpPacket]; sent: [Uint8Array] }> {
  now = 0;
  readonly keys: number[] = [];
  readonly inband = new InbandKeys(
    this,
    () => 'mulaw',
    () => this.now,
  );

  constructor() {
    super();
    this.inband.on('key', (key) => this.keys.push(key));
  }

  /** The caller sends this audio in `packetMs` packets, one every `packetMs` of the clock. */
  fromCaller(samples: Int16Array, packetMs = 20): void {
    this.#packets(samples, packetMs, (payload) => this.emit('audio', { payload } as RtpPacket));
  }

  /** The gateway sends the caller this audio, 20 ms per packet. */
  toCaller(samples: Int16Array): void {
    this.#packets(samples, 20, (payload) => this.emit('sent', payload));
  }

  #packets(samples: Int16Array, packetMs: number, send: (payload: Uint8Array) => void): void {
    const step = (packetMs * RATE) / 1000;
    for (let i = 0; i < samples.length; i += step) {
      send(encodeG711('mulaw', samples.subarray(i, i + step)));
      this.now += packetMs;
    }
  }
}

describe('InbandKeys', () => {
  const nine = keyed([{ row: 2, column: 2, ms: 80 }]);

  it('hears a key the caller plays', () => {
    const call = new FakeCall();
    call.fromCaller(nine);
    expect(call.keys).toEqual([9]);
  });

  it('takes the same key coming back within the echo window for the echo of what was sent to the caller', () => {
    const call = new FakeCall();
    call.toCaller(nine);
    call.now += 200;
    call.fromCaller(nine);
    expect(call.keys).toEqual([]);
    // The caller presses it after the window: their own key.
    call.now += ECHO_WINDOW_MS;
    call.fromCaller(nine);
    expect(call.keys).toEqual([9]);
  });

  it('gives no detector time to oversized packets or to more audio than 1.5 × real time', () => {
    const oversized = new FakeCall();
    oversized.fromCaller(keyed([{ row: 2, column: 2, ms: 200 }]), (MAX_INBAND_PAYLOAD_BYTES / RATE) * 1000 + 10);
    expect(oversized.keys).toEqual([]);

    // A flood: 40 keys' worth of audio inside one second of the clock; only the first
    // MAX_INBAND_SAMPLES_PER_SECOND samples are listened to.
    const flooded = new FakeCall();
    const flood = keyed(Array.from({ length: 40 }, (_, i) => ({ row: i % 4, column: (i >> 2) % 4, ms: 60 })));
    const keys = flooded.keys;
    for (let i = 0; i < flood.length; i += 160) flooded.emit('audio', { payload: encodeG711('mulaw', flood.subarray(i, i + 160)) } as RtpPacket);
    const listened = (MAX_INBAND_SAMPLES_PER_SECOND / flood.length) * 40;
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(Math.ceil(listened));
  });
});
