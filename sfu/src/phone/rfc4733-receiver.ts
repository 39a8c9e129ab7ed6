/** One telephone-event packet's RTP fields that matter for DTMF (RFC 4733 §2.3). */
export interface TelephoneEventPacket {
  /** RTP timestamp: the start of the event; all packets of one key press share it. */
  timestamp: number;
  payload: Buffer;
}

export interface DecodedTelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

/** Reads the 4-byte event payload; null when it is too short. Extra bytes are ignored. */
export function decodeTelephoneEvent(payload: Buffer): DecodedTelephoneEvent | null {
  if (payload.length < 4) return null;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

/** How many past key presses are remembered to recognise their late duplicates. */
const REMEMBERED_EVENTS = 16;

/** A key's RFC 4733 event code: 0–9, 10 = *, 11 = #, 12–15 = A–D (the SIP side names them: `DTMF_DIGITS`). */
export type KeyEvent = number;

/**
 * Turns RFC 4733 telephone-event packets into key presses. A sender repeats each event many
 * times (updates while the key is held, and the end packet three times), so a key press is
 * reported once, on the first packet of a new event, whichever packet that is when some are lost.
 * Packets of events already reported (late or reordered copies) are ignored, and a long press
 * that the sender splits into segments (RFC 4733 §2.5.1.3) stays one press.
 */
export class Rfc4733Receiver {
  readonly #seen: number[] = [];
  #last?: { timestamp: number; event: number; duration: number; ended: boolean };

  constructor(private readonly onKey: (key: KeyEvent) => void) {}

  receive(packet: TelephoneEventPacket): KeyEvent | null {
    const decoded = decodeTelephoneEvent(packet.payload);
    // Events above 15 (flash, tones) are not keys.
    if (!decoded || decoded.event > 15) return null;
    const timestamp = packet.timestamp >>> 0;
    const last = this.#last;
    if (last && last.timestamp === timestamp) {
      last.duration = Math.max(last.duration, decoded.duration);
      last.ended ||= decoded.end;
      return null;
    }
    if (this.#seen.includes(timestamp)) return null;
    // A long key press continues in a new segment that starts where the last one ended.
    const continues = last && !last.ended && last.event === decoded.event && (last.timestamp + last.duration) >>> 0 === timestamp;
    this.#remember(timestamp);
    this.#last = { timestamp, event: decoded.event, duration: decoded.duration, ended: decoded.end };
    if (continues) return null;
    this.onKey(decoded.event);
    return decoded.event;
  }

  #remember(timestamp: number): void {
    this.#seen.push(timestamp);
    if (this.#seen.length > REMEMBERED_EVENTS) this.#seen.shift();
  }
}
