/** An incoming packet's place in its stream and what it carries. */
export interface JitterPacket<T> {
  sequenceNumber: number;
  /** RTP timestamp (32 bits, wraps). */
  timestamp: number;
  payload: T;
}

/** What plays in one slot. */
export type JitterSlot<T> =
  /** The packet for this slot. */
  | { kind: 'packet'; packet: JitterPacket<T> }
  /** Nothing arrived for this slot (lost, or not yet): conceal. */
  | { kind: 'missing' }
  /** The stream is not playing: before its first packet, or after a pause in sending (DTX, hold, end). */
  | { kind: 'idle' };

export type JitterPushResult = 'accepted' | 'late' | 'duplicate' | 'restarted';

export interface JitterBufferOptions {
  /** RTP clock ticks per second. */
  clockRate: number;
  /** The length of one slot in RTP ticks: 20 ms (960 at 48 kHz) for Opus, 10 ms (80 at 8 kHz) for G.711. */
  slotTicks: number;
  /** The least delay the buffer keeps, ms; the starting target. Default 40. */
  minDelayMs?: number;
  /** The most the target grows to after late packets, ms. Default 160. */
  maxDelayMs?: number;
  /** After this long without a packet the stream counts as idle instead of lost, ms. Default 100. */
  maxConcealMs?: number;
}

export interface JitterBufferStats {
  received: number;
  /** Arrived after their slot had played: dropped. */
  late: number;
  duplicate: number;
  /** Slots that played as 'missing'. */
  concealed: number;
  /** Slots skipped to bring the delay back down. */
  dropped: number;
  restarts: number;
  /** RFC 3550 interarrival jitter, ms. */
  jitterMs: number;
  /** The delay the buffer aims for now, ms. */
  targetDelayMs: number;
}

/** Slots a packet may be ahead of or behind the play position before the stream counts as restarted (~1 s). */
const MAX_JUMP_MS = 1000;
/** How many pops the buffer watches its fill level before it drops a slot (~1 s). */
const LEVEL_WINDOW_MS = 1000;
/** How long without late packets before the target comes down one slot. */
const SHRINK_AFTER_MS = 10_000;

/**
 * The jitter buffer of one incoming RTP stream: packets go in as they arrive
 * (any order), and once per slot the player takes out what plays next.
 *
 * Packets are placed by RTP timestamp, not sequence number, so DTX pauses
 * (timestamps jump while sequence numbers do not) and packets carrying
 * several slots (G.711 at 30 ms, split into 10 ms slots by the caller) land
 * where they belong. Playing starts `targetDelay` after the first packet of a
 * talkspurt arrives. A packet whose slot already played is late and dropped;
 * each late packet makes the target delay one slot longer (up to
 * maxDelayMs), the next pop plays a 'missing' slot without advancing to pay
 * for it. When the buffer stays fuller than the target for a second, one
 * slot is dropped; without late packets for 10 s the target comes down a slot.
 */
export class JitterBuffer<T> {
  readonly #clockRate: number;
  readonly #slotTicks: number;
  readonly #slotMs: number;
  readonly #minSlots: number;
  readonly #maxSlots: number;
  readonly #maxConcealSlots: number;
  readonly #maxJumpSlots: number;
  readonly #levelWindowPops: number;
  readonly #shrinkAfterPops: number;

  readonly #slots = new Map<number, JitterPacket<T>>();
  // Timeline: slot index = round((extended timestamp - base) / slotTicks).
  #base: number | undefined;
  #lastExtended = 0;
  #started = false;
  #startAtMs = 0;
  #playIndex = 0;
  #highestIndex = 0;
  #lastPlayedPacketIndex = -Infinity;
  #targetSlots: number;
  #stallPending = false;
  #popsSinceLate = 0;
  #windowPops = 0;
  #windowMinLevel = Infinity;
  // RFC 3550 jitter estimate.
  #lastTransitMs: number | undefined;
  #jitterMs = 0;
  readonly #stats = { received: 0, late: 0, duplicate: 0, concealed: 0, dropped: 0, restarts: 0 };

  constructor(options: JitterBufferOptions) {
    const { clockRate, slotTicks } = options;
    if (!(clockRate > 0 && slotTicks > 0)) throw new RangeError('clockRate and slotTicks must be positive');
    this.#clockRate = clockRate;
    this.#slotTicks = slotTicks;
    this.#slotMs = (slotTicks / clockRate) * 1000;
    const slots = (ms: number): number => Math.max(1, Math.ceil(ms / this.#slotMs - 1e-9));
    this.#minSlots = slots(options.minDelayMs ?? 40);
    this.#maxSlots = Math.max(this.#minSlots, slots(options.maxDelayMs ?? 160));
    this.#maxConcealSlots = slots(options.maxConcealMs ?? 100);
    this.#maxJumpSlots = slots(MAX_JUMP_MS);
    this.#levelWindowPops = slots(LEVEL_WINDOW_MS);
    this.#shrinkAfterPops = slots(SHRINK_AFTER_MS);
    this.#targetSlots = this.#minSlots;
  }

  get slotMs(): number {
    return this.#slotMs;
  }

  /** Packets held, waiting for their slot. */
  get size(): number {
    return this.#slots.size;
  }

  stats(): JitterBufferStats {
    return { ...this.#stats, jitterMs: this.#jitterMs, targetDelayMs: this.#targetSlots * this.#slotMs };
  }

  /** Forgets the stream (its sender started a new one, e.g. a new SSRC): the next packet starts over. */
  reset(): void {
    this.#slots.clear();
    this.#base = undefined;
  }

  push(packet: JitterPacket<T>, arrivalMs: number): JitterPushResult {
    this.#stats.received++;
    if (this.#base === undefined) {
      this.#begin(packet, arrivalMs);
      return 'accepted';
    }
    const extended = this.#extend(packet.timestamp);
    const index = Math.round((extended - this.#base) / this.#slotTicks);
    this.#updateJitter(extended, arrivalMs);

    const idle = this.#started && this.#slots.size === 0 && this.#playIndex - 1 - this.#lastPlayedPacketIndex > this.#maxConcealSlots;
    if (Math.abs(index - this.#playIndex) > this.#maxJumpSlots || (idle && index < this.#playIndex)) {
      // A new stream (SSRC change, timestamp jump after hold), or the first
      // packet of a talkspurt that would be late: start over from it.
      this.#stats.restarts++;
      this.#slots.clear();
      this.#begin(packet, arrivalMs);
      return 'restarted';
    }
    if (idle) {
      // A new talkspurt: play it after the target delay, from its first packet.
      this.#started = false;
      this.#startAtMs = arrivalMs + this.#targetSlots * this.#slotMs;
      this.#playIndex = index;
    }
    if (index < this.#playIndex) {
      if (!this.#started) {
        // Reordered before playing began: play from the earlier packet.
        this.#playIndex = index;
      } else {
        this.#stats.late++;
        this.#popsSinceLate = 0;
        if (this.#targetSlots < this.#maxSlots) {
          this.#targetSlots++;
          this.#stallPending = true;
        }
        return 'late';
      }
    }
    if (this.#slots.has(index)) {
      this.#stats.duplicate++;
      return 'duplicate';
    }
    this.#slots.set(index, packet);
    if (index > this.#highestIndex) this.#highestIndex = index;
    this.#lastExtended = Math.max(this.#lastExtended, extended);
    return 'accepted';
  }

  /** What plays in the next slot; call once per slot (every slotTicks of the clock). */
  pop(nowMs: number): JitterSlot<T> {
    if (this.#base === undefined) return { kind: 'idle' };
    if (!this.#started) {
      if (nowMs + 1e-6 < this.#startAtMs) return { kind: 'idle' };
      this.#started = true;
      this.#stallPending = false;
    }
    if (this.#stallPending) {
      // Pay for a longer target delay: one slot of concealment, no advance.
      this.#stallPending = false;
      this.#stats.concealed++;
      return { kind: 'missing' };
    }
    this.#adaptLevel();

    const index = this.#playIndex++;
    const packet = this.#slots.get(index);
    if (packet) {
      this.#slots.delete(index);
      this.#lastPlayedPacketIndex = index;
      return { kind: 'packet', packet };
    }
    // A hole with later packets waiting, or the stream went quiet only just now.
    if (this.#slots.size > 0 || index - this.#lastPlayedPacketIndex <= this.#maxConcealSlots) {
      this.#stats.concealed++;
      return { kind: 'missing' };
    }
    return { kind: 'idle' };
  }

  #begin(packet: JitterPacket<T>, arrivalMs: number): void {
    this.#base = packet.timestamp;
    this.#lastExtended = packet.timestamp;
    this.#started = false;
    this.#startAtMs = arrivalMs + this.#targetSlots * this.#slotMs;
    this.#playIndex = 0;
    this.#highestIndex = 0;
    this.#lastPlayedPacketIndex = -Infinity;
    this.#lastTransitMs = undefined;
    this.#stallPending = false;
    this.#windowPops = 0;
    this.#windowMinLevel = Infinity;
    this.#slots.set(0, packet);
  }

  /** The 32-bit timestamp unwrapped next to the latest one seen. */
  #extend(timestamp: number): number {
    const delta = (timestamp - (this.#lastExtended % 0x1_0000_0000)) | 0;
    return this.#lastExtended + delta;
  }

  #updateJitter(extended: number, arrivalMs: number): void {
    const transit = arrivalMs - (extended / this.#clockRate) * 1000;
    if (this.#lastTransitMs !== undefined) {
      const d = Math.abs(transit - this.#lastTransitMs);
      this.#jitterMs += (d - this.#jitterMs) / 16;
    }
    this.#lastTransitMs = transit;
  }

  /** Drops a slot when the buffer stayed above target for a whole window; lowers the target after a calm spell. */
  #adaptLevel(): void {
    const level = this.#slots.size === 0 ? 0 : this.#highestIndex - this.#playIndex + 1;
    this.#windowMinLevel = Math.min(this.#windowMinLevel, level);
    if (++this.#popsSinceLate >= this.#shrinkAfterPops && this.#targetSlots > this.#minSlots) {
      this.#targetSlots--;
      this.#popsSinceLate = 0;
    }
    if (++this.#windowPops < this.#levelWindowPops) return;
    if (this.#windowMinLevel > this.#targetSlots && this.#slots.has(this.#playIndex + 1)) {
      this.#slots.delete(this.#playIndex);
      this.#playIndex++;
      this.#stats.dropped++;
    }
    this.#windowPops = 0;
    this.#windowMinLevel = Infinity;
  }
}
