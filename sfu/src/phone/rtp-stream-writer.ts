import { randomBytes } from 'node:crypto';

import { serializeRtpPacket } from './rtp-packet';

export interface RtpStreamWriterOptions {
  payloadType: number;
  /** RTP clock ticks per second (8000 for G.711, 48000 for Opus). */
  clockRate: number;
  /** Random when left out, as RFC 3550 asks for SSRC, first sequence number and first timestamp. */
  ssrc?: number;
  firstSequenceNumber?: number;
  firstTimestamp?: number;
}

/**
 * One outgoing RTP stream: its SSRC, a sequence number that goes up by one
 * per packet sent (wrapping at 2^16), and a timestamp taken from the media
 * clock (the frame's position in samples since the stream started, wrapping
 * at 2^32) so that a frame the sender skipped shows as a gap in time, not in
 * sequence. The marker bit flags the first packet of a talkspurt (RFC 3551 4.1).
 */
export class RtpStreamWriter {
  readonly ssrc: number;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly #firstTimestamp: number;
  #nextSequenceNumber: number;
  #sending = false;
  #packetsSent = 0;

  constructor(options: RtpStreamWriterOptions) {
    this.payloadType = options.payloadType;
    this.clockRate = options.clockRate;
    this.ssrc = (options.ssrc ?? randomBytes(4).readUInt32BE(0)) >>> 0;
    this.#nextSequenceNumber = (options.firstSequenceNumber ?? randomBytes(2).readUInt16BE(0)) & 0xffff;
    this.#firstTimestamp = (options.firstTimestamp ?? randomBytes(4).readUInt32BE(0)) >>> 0;
  }

  get packetsSent(): number {
    return this.#packetsSent;
  }

  /** The RTP timestamp of the sample `sampleOffset` samples (of this stream's clock) after the stream began. */
  timestampAt(sampleOffset: number): number {
    return (this.#firstTimestamp + sampleOffset) % 0x1_0000_0000;
  }

  /**
   * The packet for a frame that starts `sampleOffset` samples after the
   * stream began. The first packet after `pause()` (or the first of all)
   * carries the marker bit.
   */
  packet(sampleOffset: number, payload: Uint8Array, extensions?: ReadonlyMap<number, Uint8Array>): Buffer {
    const sequenceNumber = this.#nextSequenceNumber;
    this.#nextSequenceNumber = (sequenceNumber + 1) & 0xffff;
    const marker = !this.#sending;
    this.#sending = true;
    this.#packetsSent++;
    return serializeRtpPacket({
      payloadType: this.payloadType,
      sequenceNumber,
      timestamp: this.timestampAt(sampleOffset),
      ssrc: this.ssrc,
      marker,
      extensions,
      payload,
    });
  }

  /** The talkspurt ended (nothing is sent for a while): the next packet gets the marker bit. */
  pause(): void {
    this.#sending = false;
  }
}
