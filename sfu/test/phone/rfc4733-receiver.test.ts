import { describe, expect, it, vi } from 'vitest';

import { decodeTelephoneEvent, Rfc4733Receiver } from '../../src/phone/rfc4733-receiver';

/** The keys by RFC 4733 event code, as the SIP side names them. */
const KEYS = '0123456789*#ABCD';

function event(code: number, end: boolean, duration: number): Buffer {
  return Buffer.from([code, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
}

describe('Rfc4733Receiver', () => {
  it('reports a key press once across its updates and the three end packets', () => {
    const onKey = vi.fn();
    const receiver = new Rfc4733Receiver(onKey);
    for (const [end, duration] of [
      [false, 160],
      [false, 320],
      [false, 480],
      [true, 640],
      [true, 640],
      [true, 640],
    ] as const) {
      receiver.receive({ timestamp: 1000, payload: event(5, end, duration) });
    }
    expect(onKey.mock.calls).toEqual([[5]]);
  });

  it('reports the same key pressed twice (new timestamp) and maps * # A–D', () => {
    const digits: string[] = [];
    const receiver = new Rfc4733Receiver((event) => digits.push(KEYS[event]!));
    for (const [timestamp, code] of [
      [0, 1],
      [8000, 1],
      [16000, 10],
      [24000, 11],
      [32000, 12],
    ]) {
      receiver.receive({ timestamp: timestamp!, payload: event(code!, false, 160) });
      receiver.receive({ timestamp: timestamp!, payload: event(code!, true, 800) });
    }
    expect(digits).toEqual(['1', '1', '*', '#', 'A']);
  });

  it('still reports a press whose first packets were lost, and ignores late copies of old events', () => {
    const digits: string[] = [];
    const receiver = new Rfc4733Receiver((event) => digits.push(KEYS[event]!));
    receiver.receive({ timestamp: 100, payload: event(3, true, 800) });
    receiver.receive({ timestamp: 9000, payload: event(4, false, 160) });
    receiver.receive({ timestamp: 100, payload: event(3, true, 800) });
    expect(digits).toEqual(['3', '4']);
  });

  it('keeps a long press split into segments (RFC 4733 §2.5.1.3) as one', () => {
    const digits: string[] = [];
    const receiver = new Rfc4733Receiver((event) => digits.push(KEYS[event]!));
    receiver.receive({ timestamp: 0, payload: event(7, false, 0xffff) });
    receiver.receive({ timestamp: 0xffff, payload: event(7, false, 1000) });
    receiver.receive({ timestamp: 0xffff, payload: event(7, true, 2000) });
    expect(digits).toEqual(['7']);
  });

  it("reads an Opus caller's keys on the 48 kHz clock: timestamps 48000 apart, a 2 s press in segments of 65535 ticks", () => {
    const digits: string[] = [];
    const receiver = new Rfc4733Receiver((event) => digits.push(KEYS[event]!));
    // A 100 ms press is 4800 ticks, updated every 20 ms (960 ticks), the end sent three times.
    for (const [timestamp, code] of [
      [3_000_000, 4],
      [3_048_000, 4],
      [3_096_000, 11],
    ] as const) {
      for (let duration = 960; duration <= 4800; duration += 960) receiver.receive({ timestamp, payload: event(code, false, duration) });
      for (let copy = 0; copy < 3; copy++) receiver.receive({ timestamp, payload: event(code, true, 4800) });
    }
    // Two seconds are 96000 ticks: one full segment, then the rest from where it ended, across the 32-bit wrap.
    const start = 2 ** 32 - 30_000;
    receiver.receive({ timestamp: start, payload: event(9, false, 48_000) });
    receiver.receive({ timestamp: start, payload: event(9, false, 0xffff) });
    receiver.receive({ timestamp: (start + 0xffff) >>> 0, payload: event(9, false, 960) });
    receiver.receive({ timestamp: (start + 0xffff) >>> 0, payload: event(9, true, 96_000 - 0xffff) });
    expect(digits).toEqual(['4', '4', '#', '9']);
  });

  it('ignores short payloads and events that are not keys', () => {
    const onKey = vi.fn();
    const receiver = new Rfc4733Receiver(onKey);
    receiver.receive({ timestamp: 1, payload: Buffer.from([1, 2]) });
    receiver.receive({ timestamp: 2, payload: event(16, true, 100) });
    expect(onKey).not.toHaveBeenCalled();
    expect(decodeTelephoneEvent(event(9, true, 1234))).toEqual({ event: 9, end: true, volume: 10, duration: 1234 });
  });
});
