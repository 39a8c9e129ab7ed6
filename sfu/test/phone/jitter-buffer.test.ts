import { describe, expect, it } from 'vitest';

import { JitterBuffer, type JitterSlot } from '../../src/phone/jitter-buffer';

/** 20 ms slots of a 48 kHz RTP clock, 40 ms minimum delay: the Opus configuration. */
function opusBuffer(options: { minDelayMs?: number; maxDelayMs?: number } = {}): JitterBuffer<number> {
  return new JitterBuffer<number>({ clockRate: 48000, slotTicks: 960, ...options });
}

/** Packet n of a stream: sequence number and timestamp from n, payload n. */
function packet(n: number, firstSequence = 1000, firstTimestamp = 50_000) {
  return { sequenceNumber: (firstSequence + n) & 0xffff, timestamp: (firstTimestamp + n * 960) >>> 0, payload: n };
}

function describeSlot(slot: JitterSlot<number>): number | 'missing' | 'idle' {
  return slot.kind === 'packet' ? slot.packet.payload : slot.kind;
}

/** Pops once per 20 ms from `fromMs`, `count` times. */
function play(buffer: JitterBuffer<number>, fromMs: number, count: number): Array<number | 'missing' | 'idle'> {
  return Array.from({ length: count }, (_, i) => describeSlot(buffer.pop(fromMs + i * 20)));
}

describe('JitterBuffer', () => {
  it('plays packets in order, the target delay after the first one arrived', () => {
    const buffer = opusBuffer();
    const played: Array<number | 'missing' | 'idle'> = [];
    for (let t = 0; t < 10; t++) {
      if (t < 6) buffer.push(packet(t), t * 20);
      played.push(describeSlot(buffer.pop(t * 20)));
    }
    expect(played).toEqual(['idle', 'idle', 0, 1, 2, 3, 4, 5, 'missing', 'missing']);
  });

  it('puts reordered packets back in order', () => {
    const buffer = opusBuffer();
    for (const [n, at] of [
      [0, 0],
      [2, 5],
      [1, 10],
      [4, 40],
      [3, 45],
      [5, 60],
    ] as const)
      buffer.push(packet(n), at);
    expect(play(buffer, 40, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(buffer.stats()).toMatchObject({ received: 6, late: 0, concealed: 0 });
  });

  it("signals a lost packet's slot as missing, so the player conceals it", () => {
    const buffer = opusBuffer();
    for (const n of [0, 1, 3, 4]) buffer.push(packet(n), n * 20);
    expect(play(buffer, 40, 5)).toEqual([0, 1, 'missing', 3, 4]);
    expect(buffer.stats().concealed).toBe(1);
  });

  it('drops a late packet, and grows the delay a slot to catch the next one', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    buffer.push(packet(1), 20);
    expect(play(buffer, 40, 2)).toEqual([0, 1]);
    buffer.push(packet(3), 75);
    // Slot 2 has played (as missing) before its packet arrives.
    expect(describeSlot(buffer.pop(80))).toBe('missing');
    expect(buffer.push(packet(2), 85)).toBe('late');
    expect(buffer.stats()).toMatchObject({ late: 1, targetDelayMs: 60 });
    buffer.push(packet(4), 95);
    // The growth: one more missing slot without advancing, then the stream goes on.
    expect(play(buffer, 100, 3)).toEqual(['missing', 3, 4]);
  });

  it('grows the delay up to maxDelayMs while packets are late, and lowers it again after calm spells', () => {
    const buffer = opusBuffer({ maxDelayMs: 80 });
    buffer.push(packet(0), 0);
    // From packet 1 on, every packet is 100 ms later than the first one promised.
    let pushed = 1;
    let now = 40;
    for (; now <= 600; now += 20) {
      for (; pushed * 20 + 100 <= now; pushed++) buffer.push(packet(pushed), pushed * 20 + 100);
      buffer.pop(now);
    }
    expect(buffer.stats().targetDelayMs).toBe(80);
    expect(buffer.stats().late).toBeGreaterThanOrEqual(3);
    // Then packets arrive well ahead of their slot: every 10 s the target comes down a slot.
    let last = pushed;
    for (let i = 0; i < 1100; i++, now += 20) {
      buffer.push(packet(pushed++), now);
      const slot = buffer.pop(now);
      last = slot.kind === 'packet' ? slot.packet.payload : last + 1;
      if (i === 520) expect(buffer.stats().targetDelayMs).toBe(60);
    }
    expect(buffer.stats().targetDelayMs).toBe(40);
    expect(last).toBeGreaterThan(pushed - 10);
  });

  it('ignores duplicates', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    expect(buffer.push(packet(0), 1)).toBe('duplicate');
    buffer.push(packet(1), 20);
    expect(play(buffer, 40, 2)).toEqual([0, 1]);
    expect(buffer.stats().duplicate).toBe(1);
  });

  it('goes idle after concealing for maxConcealMs when the stream stops', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    expect(play(buffer, 40, 8)).toEqual([0, 'missing', 'missing', 'missing', 'missing', 'missing', 'idle', 'idle']);
  });

  it('treats a DTX pause (timestamps jump, sequence numbers do not) as idle and re-buffers the next talkspurt', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    buffer.push(packet(1), 20);
    expect(play(buffer, 40, 2)).toEqual([0, 1]);
    expect(play(buffer, 80, 10)).toEqual([...Array<string>(5).fill('missing'), ...Array<string>(5).fill('idle')]);
    // Talkspurt 2: timestamps 30 slots on, sequence number right after packet 1.
    const talk = (n: number) => ({ sequenceNumber: 1002 + n, timestamp: 50_000 + (30 + n) * 960, payload: 100 + n });
    buffer.push(talk(0), 600);
    expect(describeSlot(buffer.pop(620))).toBe('idle');
    buffer.push(talk(1), 620);
    expect(play(buffer, 640, 3)).toEqual([100, 101, 'missing']);
    expect(buffer.stats().restarts).toBe(0);
  });

  it('follows sequence numbers and timestamps across their wrap-around', () => {
    const buffer = opusBuffer();
    const first = 0xffff - 2;
    const firstTimestamp = 0xffffffff - 2 * 960 + 1;
    for (let n = 0; n < 6; n++) buffer.push(packet(n, first, firstTimestamp), n * 20);
    expect(play(buffer, 40, 6)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('starts over when the timeline jumps by more than a second (a new stream)', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    buffer.push(packet(1), 20);
    expect(play(buffer, 40, 2)).toEqual([0, 1]);
    expect(buffer.push(packet(500), 80)).toBe('restarted');
    buffer.push(packet(501), 100);
    expect(play(buffer, 120, 2)).toEqual([500, 501]);
  });

  it('drops a slot when it held more than the target for a second (after a burst)', () => {
    const buffer = opusBuffer();
    // 200 ms of packets arrive at once, then the stream runs on in time.
    for (let n = 0; n < 10; n++) buffer.push(packet(n), 0);
    let now = 40;
    let n = 10;
    const played: Array<number | 'missing' | 'idle'> = [];
    for (let i = 0; i < 200; i++, now += 20) {
      buffer.push(packet(n++), now);
      played.push(describeSlot(buffer.pop(now)));
    }
    expect(buffer.stats().dropped).toBeGreaterThanOrEqual(3);
    expect(played.filter((slot) => slot === 'missing')).toHaveLength(0);
    // Every played packet is newer than the one before it.
    const numbers = played.filter((slot): slot is number => typeof slot === 'number');
    expect(numbers.every((value, i) => i === 0 || value > numbers[i - 1]!)).toBe(true);
  });

  it('starts over after reset(), from whatever timestamp comes next', () => {
    const buffer = opusBuffer();
    buffer.push(packet(0), 0);
    buffer.push(packet(1), 20);
    expect(play(buffer, 40, 1)).toEqual([0]);
    buffer.reset();
    expect(buffer.size).toBe(0);
    // Only 100 ms further on the timeline, but a new stream: no "late", no gap filled.
    buffer.push({ sequenceNumber: 9, timestamp: 50_000 + 5 * 960, payload: 42 }, 60);
    expect(play(buffer, 60, 3)).toEqual(['idle', 'idle', 42]);
    expect(buffer.stats().late).toBe(0);
  });
});
