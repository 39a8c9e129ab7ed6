import { OpusEncoder } from '@discordjs/opus';

/**
 * Opus through @discordjs/opus (libopus 1.3.1, built from its bundled sources
 * by its install script). One object of that library holds an encoder or a
 * decoder (whichever is used first); these classes use one for each.
 */

export type OpusSampleRate = 8000 | 12000 | 16000 | 24000 | 48000;

/** libopus request numbers (opus_defines.h) for the controls used here. */
const OPUS_SET_APPLICATION_REQUEST = 4000;
const OPUS_SET_BITRATE_REQUEST = 4002;
const OPUS_SET_COMPLEXITY_REQUEST = 4010;
const OPUS_SET_INBAND_FEC_REQUEST = 4012;
const OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
const OPUS_SET_DTX_REQUEST = 4016;
const OPUS_SET_SIGNAL_REQUEST = 4024;
const OPUS_APPLICATION_VOIP = 2048;
const OPUS_SIGNAL_VOICE = 3001;

/** A packet libopus refused (corrupted, or not Opus). */
export class OpusDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpusDecodeError';
  }
}

export interface OpusFrameEncoderOptions {
  /** The rate of the PCM handed in; the RTP clock stays 48 kHz whatever it is. */
  sampleRate: OpusSampleRate;
  /** Bits per second; default 32000 (wideband speech), 20000 is plenty for 8 kHz input. */
  bitrate?: number;
  /** In-band FEC (LBRR) for receivers that use it, sized for this much expected loss (percent). Default 10. */
  expectedLossPercent?: number;
  /** 0-10; default 5: speech at half the cost of 10. Narrowband (8 kHz) speech: 1, see CallerToConference. */
  complexity?: number;
  /** Discontinuous transmission: near-empty packets during silence. Default false. */
  dtx?: boolean;
}

/** Mono speech to Opus packets, one frame (2.5-60 ms of samples) per call. */
export class OpusFrameEncoder {
  readonly sampleRate: OpusSampleRate;
  readonly #encoder: OpusEncoder;

  constructor(options: OpusFrameEncoderOptions) {
    this.sampleRate = options.sampleRate;
    this.#encoder = new OpusEncoder(options.sampleRate, 1);
    const loss = options.expectedLossPercent ?? 10;
    // The application can only be set before the first frame.
    this.#encoder.applyEncoderCTL(OPUS_SET_APPLICATION_REQUEST, OPUS_APPLICATION_VOIP);
    this.#encoder.applyEncoderCTL(OPUS_SET_SIGNAL_REQUEST, OPUS_SIGNAL_VOICE);
    this.#encoder.applyEncoderCTL(OPUS_SET_BITRATE_REQUEST, options.bitrate ?? 32_000);
    this.#encoder.applyEncoderCTL(OPUS_SET_COMPLEXITY_REQUEST, options.complexity ?? 5);
    this.#encoder.applyEncoderCTL(OPUS_SET_INBAND_FEC_REQUEST, loss > 0 ? 1 : 0);
    this.#encoder.applyEncoderCTL(OPUS_SET_PACKET_LOSS_PERC_REQUEST, loss);
    this.#encoder.applyEncoderCTL(OPUS_SET_DTX_REQUEST, options.dtx ? 1 : 0);
  }

  encode(samples: Int16Array): Buffer {
    return this.#encoder.encode(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  }
}

/**
 * Opus packets to mono PCM. Packet loss concealment: libopus conceals (PLC,
 * or decays to comfort noise after DTX) when it is handed a frame of at most
 * one byte, so `conceal()` decodes a lone TOC byte saying "one 20 ms frame in
 * the last packet's mode and bandwidth" (RFC 6716 3.1): exactly 20 ms of
 * concealment, with the decoder's state carried on as after a real loss.
 *
 * In-band FEC is not used: @discordjs/opus always decodes with decode_fec = 0
 * and has no way to ask for the redundant copy a later packet carries.
 */
export class OpusFrameDecoder {
  readonly sampleRate: OpusSampleRate;
  readonly #decoder: OpusEncoder;
  #lastToc: number | undefined;

  constructor(sampleRate: OpusSampleRate) {
    this.sampleRate = sampleRate;
    this.#decoder = new OpusEncoder(sampleRate, 1);
  }

  /** Throws OpusDecodeError, and only that, for a packet libopus refuses. */
  decode(packet: Uint8Array): Int16Array {
    if (packet.length === 0) throw new OpusDecodeError('empty Opus packet');
    let decoded: Buffer;
    try {
      decoded = this.#decoder.decode(Buffer.from(packet.buffer, packet.byteOffset, packet.length));
    } catch (error) {
      throw new OpusDecodeError(error instanceof Error ? error.message : String(error));
    }
    this.#lastToc = packet[0]!;
    return int16View(decoded);
  }

  /** 20 ms standing in for a lost packet; silence before the first packet. */
  conceal(): Int16Array {
    if (this.#lastToc === undefined) return new Int16Array((this.sampleRate / 1000) * 20);
    return int16View(this.#decoder.decode(Buffer.of(toc20ms(this.#lastToc))));
  }
}

/**
 * The TOC byte (RFC 6716 3.1) of a code-0 packet (one frame) of 20 ms in the
 * same mode, bandwidth and channel count as `toc`.
 */
export function toc20ms(toc: number): number {
  const config = toc >> 3;
  const stereo = toc & 0x04;
  let config20: number;
  if (config < 12) {
    // SILK: four durations (10, 20, 40, 60 ms) per bandwidth.
    config20 = (config & ~3) | 1;
  } else if (config < 16) {
    // Hybrid: two durations (10, 20 ms) per bandwidth.
    config20 = (config & ~1) | 1;
  } else {
    // CELT: four durations (2.5, 5, 10, 20 ms) per bandwidth.
    config20 = config | 3;
  }
  return (config20 << 3) | stereo;
}

function int16View(buffer: Buffer): Int16Array {
  if (buffer.byteOffset % 2 === 0) return new Int16Array(buffer.buffer, buffer.byteOffset, buffer.length / 2);
  return new Int16Array(Uint8Array.from(buffer).buffer);
}
