import { EventEmitter } from 'node:events';
import { InbandKeys, type RtpSession } from '@konferenz/sfu';
import { DTMF_DIGITS, type DtmfDigit, type NegotiatedAudio, type SipCall } from '@konferenz/sip';

/** The same key from two paths within this time is one press (a gateway may send tones and events for one key). */
export const DUPLICATE_WINDOW_MS = 500;

type KeyPath = 'rfc4733' | 'sip-info' | 'inband';

export interface CallKeysEvents {
  key: [digit: DtmfDigit];
}

/**
 * The one source of a call's keys: RFC 4733 telephone-events, SIP INFO and, for G.711
 * callers, DTMF tones in the audio. In-band listening stops at the first key that arrives
 * out of band: the call has a working key path, and its phone may play the tones into the
 * audio as well. A key that arrives by two paths within DUPLICATE_WINDOW_MS counts once.
 */
export class CallKeys extends EventEmitter<CallKeysEvents> {
  readonly #inband: InbandKeys;
  readonly #now: () => number;
  #last?: { digit: DtmfDigit; path: KeyPath; at: number };

  constructor(call: SipCall, rtp: RtpSession<NegotiatedAudio>, now: () => number = Date.now) {
    super();
    this.#now = now;
    call.on('dtmf', (digit) => this.#key(digit, 'sip-info'));
    rtp.on('key', (event) => this.#key(DTMF_DIGITS[event]!, 'rfc4733'));
    this.#inband = new InbandKeys(
      rtp,
      () => {
        const codec = rtp.media.codec;
        return codec === 'PCMU' ? 'mulaw' : codec === 'PCMA' ? 'alaw' : undefined;
      },
      now,
    );
    this.#inband.on('key', (event) => this.#key(DTMF_DIGITS[event]!, 'inband'));
    call.once('ended', () => this.#inband.stop());
  }

  /** Whether tones in the caller's audio are still listened for. */
  get listeningInband(): boolean {
    return this.#inband.listening;
  }

  #key(digit: DtmfDigit, path: KeyPath): void {
    if (path !== 'inband') this.#inband.stop();
    const at = this.#now();
    const last = this.#last;
    if (last && last.digit === digit && last.path !== path && at - last.at <= DUPLICATE_WINDOW_MS) {
      // Each copy cancels exactly one key: a repeated digit (PIN 1122) sent both ways is still two keys.
      this.#last = undefined;
      return;
    }
    this.#last = { digit, path, at };
    this.emit('key', digit);
  }
}
