import { packets } from 'rtp.js';

/** The RFC 6464 header extension: how loud the audio in this packet is. */
export const AUDIO_LEVEL_EXTENSION_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** An RTP packet (RFC 3550) as the bridge reads and writes it. */
export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  csrcs: number[];
  /**
   * RFC 8285 header extensions (one-byte or two-byte form) by id. A header
   * extension of another profile is not split into elements and shows up here
   * as nothing.
   */
  extensions: ReadonlyMap<number, Buffer>;
  /** The payload without padding; a view into the datagram, not a copy. */
  payload: Buffer;
}

export type RtpParseErrorReason = 'TOO_SHORT' | 'NOT_VERSION_2' | 'RTCP' | 'BAD_PADDING' | 'MALFORMED';

/** Why a datagram is not an RTP packet the bridge can use; the packet is dropped, nothing else happens. */
export class RtpParseError extends Error {
  readonly reason: RtpParseErrorReason;

  constructor(reason: RtpParseErrorReason, message: string) {
    super(message);
    this.name = 'RtpParseError';
    this.reason = reason;
  }
}

const FIXED_HEADER_LENGTH = 12;

/**
 * RTP and RTCP share a port with rtcp-mux; RFC 5761 section 4 tells them
 * apart by the second octet: RTCP packet types 192-223 (SR, RR, SDES, BYE,
 * APP, feedback) occupy what would be RTP payload types 64-95 with the marker
 * bit set, which RTP must not use.
 */
export function isRtcpPacket(datagram: Uint8Array): boolean {
  return datagram.length >= 8 && datagram[0]! >> 6 === 2 && datagram[1]! >= 192 && datagram[1]! <= 223;
}

/**
 * Parses one datagram as RTP. Throws RtpParseError, and only that, for
 * anything else: too short, not version 2, an RTCP packet, lengths (CSRC
 * count, header extension, padding) that do not add up to the datagram.
 *
 * rtp.js (by the mediasoup authors) does the parsing; the checks it leaves
 * out (a zero padding count, RTCP on the shared port, an empty datagram)
 * are made here.
 */
export function parseRtpPacket(datagram: Buffer): RtpPacket {
  if (datagram.length < FIXED_HEADER_LENGTH) {
    throw new RtpParseError('TOO_SHORT', `${datagram.length} bytes is shorter than an RTP header`);
  }
  if (datagram[0]! >> 6 !== 2) throw new RtpParseError('NOT_VERSION_2', `RTP version ${datagram[0]! >> 6}`);
  if (isRtcpPacket(datagram)) throw new RtpParseError('RTCP', `RTCP packet type ${datagram[1]}`);
  // RFC 3550 5.1: the last padding octet counts itself, so it is at least 1.
  if (datagram[0]! & 0x20 && datagram[datagram.length - 1] === 0) {
    throw new RtpParseError('BAD_PADDING', 'padding bit set with a padding count of 0');
  }
  let parsed: packets.RtpPacket;
  try {
    parsed = new packets.RtpPacket(new DataView(datagram.buffer, datagram.byteOffset, datagram.length));
  } catch (error) {
    throw new RtpParseError('MALFORMED', error instanceof Error ? error.message : String(error));
  }
  const extensions = new Map<number, Buffer>();
  for (const [id, view] of parsed.getExtensions()) extensions.set(id, viewToBuffer(view));
  return {
    payloadType: parsed.getPayloadType(),
    sequenceNumber: parsed.getSequenceNumber(),
    timestamp: parsed.getTimestamp(),
    ssrc: parsed.getSsrc(),
    marker: parsed.getMarker(),
    csrcs: parsed.getCsrcs(),
    extensions,
    payload: viewToBuffer(parsed.getPayload()),
  };
}

export interface RtpPacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  csrcs?: readonly number[];
  /** Written in the one-byte form (RFC 8285): ids 1-14, 1-16 bytes each. */
  extensions?: ReadonlyMap<number, Uint8Array>;
  payload: Uint8Array;
}

/** Serializes an RTP packet; throws RangeError for fields out of range (a bug of the caller, not of the network). */
export function serializeRtpPacket(fields: RtpPacketFields): Buffer {
  const { payloadType, sequenceNumber, timestamp, ssrc } = fields;
  assertUint('payloadType', payloadType, 0x7f);
  assertUint('sequenceNumber', sequenceNumber, 0xffff);
  assertUint('timestamp', timestamp, 0xffffffff);
  assertUint('ssrc', ssrc, 0xffffffff);
  const plain = (!fields.csrcs || fields.csrcs.length === 0) && (!fields.extensions || fields.extensions.size === 0);
  if (plain) return serializePlainRtpPacket(fields);
  const packet = new packets.RtpPacket();
  packet.setPayloadType(payloadType);
  packet.setSequenceNumber(sequenceNumber);
  packet.setTimestamp(timestamp);
  packet.setSsrc(ssrc);
  packet.setMarker(fields.marker ?? false);
  if (fields.csrcs && fields.csrcs.length > 0) {
    if (fields.csrcs.length > 15) throw new RangeError(`at most 15 CSRCs, got ${fields.csrcs.length}`);
    for (const csrc of fields.csrcs) assertUint('csrc', csrc, 0xffffffff);
    packet.setCsrcs([...fields.csrcs]);
  }
  if (fields.extensions && fields.extensions.size > 0) {
    packet.enableOneByteExtensions();
    for (const [id, value] of fields.extensions) {
      if (!Number.isInteger(id) || id < 1 || id > 14) throw new RangeError(`one-byte extension id ${id} is not 1-14`);
      if (value.length < 1 || value.length > 16) throw new RangeError(`one-byte extension ${id} has ${value.length} bytes, not 1-16`);
      packet.setExtension(id, new DataView(value.buffer, value.byteOffset, value.length));
    }
  }
  packet.setPayload(new DataView(fields.payload.buffer, fields.payload.byteOffset, fields.payload.length));
  packet.serialize();
  return viewToBuffer(packet.getView());
}

/**
 * The fixed header and the payload, nothing else: what goes to every phone every 20 ms, written
 * directly because building it through rtp.js costs some 30 times as much.
 */
function serializePlainRtpPacket(fields: RtpPacketFields): Buffer {
  const packet = Buffer.allocUnsafe(FIXED_HEADER_LENGTH + fields.payload.length);
  packet[0] = 0x80; // V=2, no padding, no extension, no CSRCs
  packet[1] = (fields.marker ? 0x80 : 0) | fields.payloadType;
  packet.writeUInt16BE(fields.sequenceNumber, 2);
  packet.writeUInt32BE(fields.timestamp, 4);
  packet.writeUInt32BE(fields.ssrc, 8);
  packet.set(fields.payload, FIXED_HEADER_LENGTH);
  return packet;
}

/** An RFC 6464 audio level: 0 is 0 dBov (loudest), 127 is -127 dBov or quieter (silence). */
export interface AudioLevel {
  level: number;
  /** The sender's voice activity flag. */
  voice: boolean;
}

/** The RFC 6464 audio level of a packet, when it carries one under `extensionId`. */
export function readAudioLevel(packet: RtpPacket, extensionId: number | undefined): AudioLevel | undefined {
  if (extensionId === undefined) return undefined;
  const value = packet.extensions.get(extensionId);
  // RFC 6464 allows the one-byte element to be followed by padding; only the first byte counts.
  if (!value || value.length < 1) return undefined;
  return { level: value[0]! & 0x7f, voice: (value[0]! & 0x80) !== 0 };
}

/** The one-byte value of an RFC 6464 extension element. */
export function audioLevelExtensionValue(level: number, voice: boolean): Uint8Array {
  const clamped = Math.min(127, Math.max(0, Math.round(level)));
  return Uint8Array.of((voice ? 0x80 : 0) | clamped);
}

/** A minimal RTCP receiver report without report blocks (RFC 3550 6.4.2): 8 bytes. */
export function emptyReceiverReport(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x80; // V=2, P=0, RC=0
  packet[1] = 201; // RR
  packet.writeUInt16BE(1, 2); // length in 32-bit words minus one
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

function viewToBuffer(view: DataView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function assertUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} ${value} is not an integer 0-${max}`);
}
