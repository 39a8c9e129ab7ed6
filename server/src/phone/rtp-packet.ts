/** An RTP packet (RFC 3550 §5.1) as the gateway reads it. */
export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

/**
 * Parses one datagram as RTP, strictly: version 2, header, CSRC list, extension and padding
 * within the packet. Returns null for anything else (RTCP, STUN, garbage).
 */
export function parseRtpPacket(data: Buffer): RtpPacket | null {
  if (data.length < 12) return null;
  const first = data[0]!;
  if (first >> 6 !== 2) return null;
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  const second = data[1]!;
  const payloadType = second & 0x7f;
  // 72–76 would be RTCP sender/receiver reports and friends multiplexed on the port (RFC 5761).
  if (payloadType >= 72 && payloadType <= 76) return null;
  let offset = 12 + csrcCount * 4;
  if (offset > data.length) return null;
  if (extension) {
    if (offset + 4 > data.length) return null;
    offset += 4 + data.readUInt16BE(offset + 2) * 4;
    if (offset > data.length) return null;
  }
  let end = data.length;
  if (padding) {
    const count = data[data.length - 1]!;
    if (count === 0 || end - count < offset) return null;
    end -= count;
  }
  return {
    marker: (second & 0x80) !== 0,
    payloadType,
    sequenceNumber: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
    ssrc: data.readUInt32BE(8),
    payload: data.subarray(offset, end),
  };
}

export function serializeRtpPacket(packet: RtpPacket): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  header.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(packet.timestamp >>> 0, 4);
  header.writeUInt32BE(packet.ssrc >>> 0, 8);
  return Buffer.concat([header, packet.payload]);
}
