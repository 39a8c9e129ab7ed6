/** What to do with one 20 ms frame of a caller's voice. */
export type TalkspurtDecision =
  /** Encode and send it: speech, or the hangover after it. */
  | 'send'
  /** Silence, but nothing was sent for a while: encode and send this one so the stream stays alive. */
  | 'keepalive'
  /** Silence: neither encode nor send. */
  | 'skip';

export interface TalkspurtGateOptions {
  /**
   * RFC 6464 level (-dBov) from which a frame counts as silent. Default 70:
   * at or below -70 dBov, the PSTN's own idle-channel noise (G.712 allows
   * -65 dBm0p, about -71 dBov) and one µ-law step of noise (-72 dBov).
   */
  silenceLevel?: number;
  /** Frames still sent after the last one above `silenceLevel`, so word endings and pauses within words pass. Default 10 (200 ms). */
  hangoverFrames?: number;
  /** During silence one frame in this many is sent. Default 20 (400 ms, as Opus DTX does). */
  keepaliveFrames?: number;
}

/**
 * Silence suppression for the caller's stream into the room, as a browser's
 * Opus DTX does it: during silence the frames are neither encoded nor sent
 * (the receivers play comfort noise or silence over the gap, and mediasoup's
 * active speaker and the room's mix see nothing to mix), except one every
 * 400 ms so that mediasoup, whose inactivity check resets a stream's score
 * after 1.5 s without RTP, keeps the stream live. The decision is taken on
 * the frame itself, so the first frame louder than the threshold is sent
 * whole: no word onset is lost to a look-back.
 */
export class TalkspurtGate {
  readonly #silenceLevel: number;
  readonly #hangoverFrames: number;
  readonly #keepaliveFrames: number;
  // The stream starts as if speech had just ended: its first frames go out at once.
  #framesSinceVoice = 0;
  #framesSinceSent = 0;

  constructor(options: TalkspurtGateOptions = {}) {
    this.#silenceLevel = options.silenceLevel ?? 70;
    this.#hangoverFrames = options.hangoverFrames ?? 10;
    this.#keepaliveFrames = options.keepaliveFrames ?? 20;
  }

  /** The decision for the next frame, whose RFC 6464 level is `level`. */
  decide(level: number): TalkspurtDecision {
    this.#framesSinceVoice = level < this.#silenceLevel ? 0 : this.#framesSinceVoice + 1;
    if (this.#framesSinceVoice <= this.#hangoverFrames) {
      this.#framesSinceSent = 0;
      return 'send';
    }
    this.#framesSinceSent++;
    if (this.#framesSinceSent >= this.#keepaliveFrames) {
      this.#framesSinceSent = 0;
      return 'keepalive';
    }
    return 'skip';
  }
}
