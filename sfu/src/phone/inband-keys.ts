import { EventEmitter } from 'node:events';
import { decodeG711, type G711Law } from './g711';
import { InbandDtmfDetector } from './inband-dtmf-detector';
import type { KeyEvent } from './rfc4733-receiver';
import type { RtpPacket } from './rtp-packet';

export interface InbandKeysEvents {
  /** A key heard as tones in the caller's audio. */
  key: [event: KeyEvent];
}

/** What InbandKeys listens to: the call's RtpSession passes on the caller's audio packets. */
export interface CallerAudioSource {
  on(event: 'audio', listener: (packet: RtpPacket) => void): unknown;
  off(event: 'audio', listener: (packet: RtpPacket) => void): unknown;
}

/**
 * Keys sent as tones in a G.711 caller's audio (analog gateways, trunks that strip RFC 4733).
 * The payloads are decoded in arrival order, apart from the conference's jitter buffer: a
 * reordered or lost packet costs at worst one key, which the caller presses again. Listens
 * from construction until stop(); a caller whose keys arrive out of band is stopped by its
 * CallKeys, so tones in its audio cannot count twice and its audio costs no detector time.
 *
 * Opus callers are software clients that send RFC 4733 and are not listened to. A G.722
 * caller's lower sub-band is 8 kHz audio and could be fed to the same detector.
 */
export class InbandKeys extends EventEmitter<InbandKeysEvents> {
  readonly #source: CallerAudioSource;
  readonly #lawOf: () => G711Law | undefined;
  readonly #detector = new InbandDtmfDetector((key) => this.emit('key', key));
  readonly #onAudio = (packet: RtpPacket): void => {
    const law = this.#lawOf();
    if (law && packet.payload.length > 0) this.#detector.push(decodeG711(law, packet.payload));
  };
  #listening = true;

  /** `lawOf` names the call's current codec: it may change with a re-INVITE, and only G.711 is listened to. */
  constructor(source: CallerAudioSource, lawOf: () => G711Law | undefined) {
    super();
    this.#source = source;
    this.#lawOf = lawOf;
    source.on('audio', this.#onAudio);
  }

  get listening(): boolean {
    return this.#listening;
  }

  stop(): void {
    if (!this.#listening) return;
    this.#listening = false;
    this.#source.off('audio', this.#onAudio);
  }
}
