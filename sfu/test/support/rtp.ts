/** The RTP header extension browsers put on Opus packets: how loud this packet is. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

export interface RtpPacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
  /** Adds an RFC 6464 audio level (0 = loudest, 127 = silence) as one-byte extension (RFC 8285) `id`. */
  audioLevel?: { id: number; level: number };
}

/** A plain RTP packet (RFC 3550), as a phone or a test sends it. */
export function rtpPacket(fields: RtpPacketFields): Buffer {
  const header = Buffer.alloc(12);
  header[0] = fields.audioLevel ? 0x90 : 0x80; // V=2, X when an extension follows
  header[1] = fields.payloadType & 0x7f;
  header.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  if (!fields.audioLevel) return Buffer.concat([header, fields.payload]);

  // 0xBEDE profile, one 32-bit word: element (ID, length-1 = 0), V bit + level, 2 padding bytes.
  const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, (fields.audioLevel.id << 4) | 0, 0x80 | fields.audioLevel.level, 0, 0]);
  return Buffer.concat([header, extension, fields.payload]);
}
