// What bench:sfu's speaker sends: Opus-sized audio and VP8 simulcast video (three layers on
// their own SSRCs, real VP8 payload descriptors and key frames on request), paced by elapsed
// time; RTCP sender reports for every stream; and how a listener reads a packet's send time.
//
// Every RTP payload ends with its send time (process.hrtime.bigint(), ns; the same monotonic
// clock in every process of the machine), after one byte that names its simulcast layer (audio:
// 0xff), so plain listeners (the whole datagram) and WebRTC listeners (the decrypted payload)
// read both from the end, whatever the SFU put in front.

export const AUDIO_SSRC = 4242;
export const AUDIO_PT = 100;
export const VIDEO_PT = 101;
const OPUS_PAYLOAD_BYTES = 160;
const VIDEO_CLOCK = 90000;
const MAX_VIDEO_PAYLOAD = 1200;
/** A key frame is this many times a delta frame's size (a camera's is several times larger). */
const KEY_FRAME_FACTOR = 4;
/** As often as a browser sends them for video. */
const SENDER_REPORT_INTERVAL_S = 1;

/**
 * The three encodings a browser sends for a 1280x720 camera (scaled down by 4, 2, 1), with the
 * bitrates of the issue (about 150/500/1500 kbit/s) at 30 frames a second; `tile` is the size of
 * a viewer's tile for which the product picks that layer (sfu/src/simulcast-layers.ts).
 */
export const VIDEO_LAYERS = [
  { ssrc: 5100, bitrate: 150_000, width: 320, height: 180, tile: [320, 180] },
  { ssrc: 5200, bitrate: 500_000, width: 640, height: 360, tile: [640, 360] },
  { ssrc: 5300, bitrate: 1_500_000, width: 1280, height: 720, tile: [1280, 720] },
];
export const VIDEO_FPS = 30;

export const OPUS_PARAMETERS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2, rtcpFeedback: [] }],
  encodings: [{ ssrc: AUDIO_SSRC }],
};

/** A VP8 simulcast producer's parameters, as a browser sends them with ssrc-based encodings. */
export const VP8_SIMULCAST_PARAMETERS = {
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: VIDEO_PT,
      clockRate: VIDEO_CLOCK,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
    },
  ],
  encodings: VIDEO_LAYERS.map(({ ssrc, bitrate }) => ({ ssrc, maxBitrate: bitrate })),
};

/** The send time a listener finds at the end of an RTP payload (or datagram); null for one too short. */
export function sentAtOf(bytes) {
  if (bytes.length < 9) return null;
  return bytes.readBigUInt64BE(bytes.length - 8);
}

/** The simulcast layer a video packet was sent on (0xff: audio), from the byte before its send time. */
export const layerOf = (bytes) => bytes[bytes.length - 9];

/** Whether a datagram on a muxed port is RTCP rather than RTP. */
export const isRtcp = (packet) => packet.length > 1 && packet[1] >= 200 && packet[1] <= 207;

function rtpHeader(payloadType, sequence, timestamp, ssrc, marker = false) {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = (marker ? 0x80 : 0) | payloadType;
  header.writeUInt16BE(sequence & 0xffff, 2);
  header.writeUInt32BE(timestamp >>> 0, 4);
  header.writeUInt32BE(ssrc, 8);
  return header;
}

/** An Opus-sized RTP packet (160-byte payload, 20 ms) stamped with its send time. */
export function opusPacket(sequence) {
  const packet = Buffer.alloc(12 + OPUS_PAYLOAD_BYTES, 0x5a);
  rtpHeader(AUDIO_PT, sequence, sequence * 960, AUDIO_SSRC).copy(packet);
  packet[packet.length - 9] = 0xff;
  packet.writeBigUInt64BE(process.hrtime.bigint(), packet.length - 8);
  return packet;
}

/**
 * One simulcast layer: frames of `bitrate / 8 / fps` bytes (key frames KEY_FRAME_FACTOR times
 * that) split into RTP packets of at most MAX_VIDEO_PAYLOAD bytes, each with the VP8 payload
 * descriptor a browser writes (extended, 15-bit picture id, TL0PICIDX, TID 0) and, on a frame's
 * first packet, the VP8 payload header (a key frame's with its start code and size).
 */
class VideoLayer {
  sequence = 1;
  pictureId = 0;
  tl0PicIdx = 0;
  keyFrameWanted = true;
  /** RTP packets and payload bytes sent, for the sender reports. */
  packets = 0;
  octets = 0;

  constructor({ ssrc, bitrate, width, height }, index) {
    Object.assign(this, { ssrc, width, height, index });
    this.frameBytes = Math.round(bitrate / 8 / VIDEO_FPS);
  }

  /** The packets of the frame at `frameIndex`, built now (their send time is now). */
  frame(frameIndex) {
    const keyFrame = this.keyFrameWanted;
    this.keyFrameWanted = false;
    const bytes = keyFrame ? this.frameBytes * KEY_FRAME_FACTOR : this.frameBytes;
    const count = Math.ceil(bytes / MAX_VIDEO_PAYLOAD);
    const timestamp = frameIndex * (VIDEO_CLOCK / VIDEO_FPS);
    const now = process.hrtime.bigint();
    const packets = [];
    for (let i = 0; i < count; i += 1) {
      const payloadBytes = Math.max(Math.min(MAX_VIDEO_PAYLOAD, bytes - i * MAX_VIDEO_PAYLOAD), 24);
      const payload = Buffer.alloc(payloadBytes, 0x6b);
      // Payload descriptor (RFC 7741 4.2): X, S on the first packet, partition 0.
      payload[0] = 0x80 | (i === 0 ? 0x10 : 0);
      payload[1] = 0x80 | 0x40 | 0x20; // I, L, T
      payload.writeUInt16BE(0x8000 | (this.pictureId & 0x7fff), 2);
      payload[4] = this.tl0PicIdx & 0xff;
      payload[5] = 0x20; // TID 0, Y
      if (i === 0) {
        // VP8 payload header (RFC 6386 9.1): bit 0 clear for a key frame, then show_frame.
        payload[6] = keyFrame ? 0x10 : 0x11;
        if (keyFrame) {
          payload.set([0x9d, 0x01, 0x2a], 9);
          payload.writeUInt16LE(this.width, 12);
          payload.writeUInt16LE(this.height, 14);
        }
      }
      payload[payload.length - 9] = this.index;
      payload.writeBigUInt64BE(now, payload.length - 8);
      packets.push(Buffer.concat([rtpHeader(VIDEO_PT, this.sequence++, timestamp, this.ssrc, i === count - 1), payload]));
      this.packets += 1;
      this.octets += payloadBytes;
    }
    this.pictureId += 1;
    this.tl0PicIdx += 1;
    return packets;
  }
}

/** An RTCP sender report (RFC 3550 6.4.1) for `ssrc`, with NTP and RTP time of now. */
function senderReport(ssrc, rtpTimestamp, packets, octets) {
  const report = Buffer.alloc(28);
  report[0] = 0x80;
  report[1] = 200;
  report.writeUInt16BE(6, 2);
  report.writeUInt32BE(ssrc, 4);
  const ms = Date.now();
  report.writeUInt32BE(Math.floor(ms / 1000) + 2_208_988_800, 8);
  report.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * 2 ** 32), 12);
  report.writeUInt32BE(rtpTimestamp >>> 0, 16);
  report.writeUInt32BE(packets >>> 0, 20);
  report.writeUInt32BE(octets >>> 0, 24);
  return report;
}

/** SSRCs the SFU asks a key frame of: PLI (RFC 4585 6.3.1) and FIR (RFC 5104 4.3.1) in a compound RTCP packet. */
export function keyFrameRequests(packet) {
  const ssrcs = [];
  for (let offset = 0; offset + 12 <= packet.length;) {
    const format = packet[offset] & 0x1f;
    const type = packet[offset + 1];
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (type === 206 && format === 1) ssrcs.push(packet.readUInt32BE(offset + 8));
    if (type === 206 && format === 4) {
      for (let fci = offset + 12; fci + 8 <= offset + length; fci += 8) ssrcs.push(packet.readUInt32BE(fci));
    }
    offset += length;
  }
  return ssrcs;
}

/**
 * The speaker: audio at `pps` packets a second, and with `video` the three simulcast layers at
 * VIDEO_FPS, from `start()` to `stop()`, paced by elapsed time; answers key frame requests that
 * come back on its socket (comedia: the SFU sends RTCP to where the RTP comes from) and sends a
 * sender report per stream every second. `measure(from, to)` counts what it sends in that window
 * of send time (hrtime ns), per stream: what every listener should get.
 */
export class Speaker {
  audioSequence = 1;
  frameIndex = 0;
  keyFrames = 0;
  #timer = null;
  #window = { from: 1n, to: 0n };
  /** Packets sent in the window: audio, and video per layer. */
  sent = { audio: 0, video: [] };

  constructor(socket, { ip, port }, { pps, video }) {
    Object.assign(this, { socket, ip, port, pps });
    this.layers = video ? VIDEO_LAYERS.map((layer, i) => new VideoLayer(layer, i)) : [];
    socket.on('message', (packet) => {
      if (!isRtcp(packet)) return;
      for (const ssrc of keyFrameRequests(packet)) {
        const layer = this.layers.find((candidate) => candidate.ssrc === ssrc);
        if (layer) layer.keyFrameWanted = true;
      }
    });
  }

  measure(from, to) {
    this.#window = { from, to };
    this.sent = { audio: 0, video: this.layers.map(() => 0) };
  }

  #inWindow(now) {
    return now >= this.#window.from && now < this.#window.to;
  }

  #send(packet) {
    this.socket.send(packet, this.port, this.ip);
  }

  start() {
    const started = performance.now();
    let audio = 0;
    let frames = 0;
    let reportsAt = 0;
    this.#timer = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      for (const audioDue = Math.floor(elapsed * this.pps); audio < audioDue; audio += 1) {
        const packet = opusPacket(this.audioSequence++);
        if (this.#inWindow(sentAtOf(packet))) this.sent.audio += 1;
        this.#send(packet);
      }
      for (const framesDue = this.layers.length ? Math.floor(elapsed * VIDEO_FPS) : 0; frames < framesDue; frames += 1) {
        this.layers.forEach((layer, i) => {
          if (layer.keyFrameWanted) this.keyFrames += 1;
          const packets = layer.frame(this.frameIndex);
          if (this.#inWindow(sentAtOf(packets[0]))) this.sent.video[i] += packets.length;
          for (const packet of packets) this.#send(packet);
        });
        this.frameIndex += 1;
      }
      // The first right after the first packets (before them it would be of streams the SFU does not know yet).
      if (elapsed >= reportsAt && audio > 0 && (frames > 0 || this.layers.length === 0)) {
        reportsAt = elapsed + SENDER_REPORT_INTERVAL_S;
        this.#send(senderReport(AUDIO_SSRC, this.audioSequence * 960, this.audioSequence, this.audioSequence * OPUS_PAYLOAD_BYTES));
        for (const layer of this.layers) {
          this.#send(senderReport(layer.ssrc, this.frameIndex * (VIDEO_CLOCK / VIDEO_FPS), layer.packets, layer.octets));
        }
      }
    }, 5);
  }

  stop() {
    clearInterval(this.#timer);
  }
}
