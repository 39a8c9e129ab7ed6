import { EventEmitter } from 'node:events';
import { decodeG711, type G711Law } from './g711';
import { InbandDtmfDetector } from './inband-dtmf-detector';
import type { KeyEvent } from './rfc4733-receiver';
import type { RtpPacket } from './rtp-packet';

export interface InbandKeysEvents {
  /** A key heard as tones in the caller's audio. */
  key: [event: KeyEvent];
}

/**
 * What InbandKeys listens to: the call's RtpSession passes on the caller's audio packets and
 * the payloads it sends the caller.
 */
export interface CallerAudioSource {
  on(event: 'audio', listener: (packet: RtpPacket) => void): unknown;
  off(event: 'audio', listener: (packet: RtpPacket) => void): unknown;
  on(event: 'sent', listener: (payload: Uint8Array) => void): unknown;
  off(event: 'sent', listener: (payload: Uint8Array) => void): unknown;
}

/**
 * A key heard in the caller's audio within this time after the same key was in the audio sent
 * to the caller is that audio's echo (network round trip plus the line's or a speakerphone's
 * echo path), not a key the caller pressed.
 */
export const ECHO_WINDOW_MS = 1000;
/** 60 ms of G.711, the longest packet time phones use: a longer payload is not listened to. */
export const MAX_INBAND_PAYLOAD_BYTES = 480;
/** At most this many samples per second of wall time go to the detector (1.5 × real time). */
export const MAX_INBAND_SAMPLES_PER_SECOND = 12_000;

/**
 * Keys sent as tones in a G.711 caller's audio (analog gateways, trunks that strip RFC 4733).
 * The payloads are decoded in arrival order, apart from the conference's jitter buffer: a
 * reordered or lost packet costs at worst one key, which the caller presses again. Listens
 * from construction until stop(); a caller whose keys arrive out of band is stopped by its
 * CallKeys, so tones in its audio cannot count twice and its audio costs no detector time.
 *
 * The audio sent to the caller goes through a detector too: anyone in the room can play key
 * tones, and a line's echo would bring them back as the caller's own keys (a moderator's *9,
 * someone's *6). The detector runs on the server's main thread, so a caller sending oversized
 * or too many packets gets no more detector time than real-time audio needs.
 *
 * Opus callers are software clients that send RFC 4733 and are not listened to. A G.722
 * caller's lower sub-band is 8 kHz audio and could be fed to the same detector.
 */
export class InbandKeys extends EventEmitter<InbandKeysEvents> {
  readonly #source: CallerAudioSource;
  readonly #lawOf: () => G711Law | undefined;
  readonly #now: () => number;
  /** When each key was last in the audio sent to the caller. */
  readonly #sentAt = new Map<KeyEvent, number>();
  readonly #detector = new InbandDtmfDetector((key) => {
    const sent = this.#sentAt.get(key);
    if (sent === undefined || this.#now() - sent > ECHO_WINDOW_MS) this.emit('key', key);
  });
  readonly #sentDetector = new InbandDtmfDetector((key) => this.#sentAt.set(key, this.#now()));
  #budget = { second: 0, samples: 0 };
  readonly #onAudio = (packet: RtpPacket): void => {
    const law = this.#lawOf();
    const bytes = packet.payload.length;
    if (!law || bytes === 0 || bytes > MAX_INBAND_PAYLOAD_BYTES || !this.#withinBudget(bytes)) return;
    this.#detector.push(decodeG711(law, packet.payload));
  };
  readonly #onSent = (payload: Uint8Array): void => {
    const law = this.#lawOf();
    if (law && payload.length > 0) this.#sentDetector.push(decodeG711(law, payload));
  };
  #listening = true;

  /** `lawOf` names the call's current codec: it may change with a re-INVITE, and only G.711 is listened to. */
  constructor(source: CallerAudioSource, lawOf: () => G711Law | undefined, now: () => number = Date.now) {
    super();
    this.#source = source;
    this.#lawOf = lawOf;
    this.#now = now;
    source.on('audio', this.#onAudio);
    source.on('sent', this.#onSent);
  }

  get listening(): boolean {
    return this.#listening;
  }

  stop(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#source.off('audio', this.#onAudio);
    this.#source.off('sent', this.#onSent);
  }

  /** G.711 has one sample per byte. */
  #withinBudget(samples: number): boolean {
    const second = Math.floor(this.#now() / 1000);
    if (second !== this.#budget.second) this.#budget = { second, samples: 0 };
    if (this.#budget.samples + samples > MAX_INBAND_SAMPLES_PER_SECOND) return false;
    this.#budget.samples += samples;
    return true;
  }
}
