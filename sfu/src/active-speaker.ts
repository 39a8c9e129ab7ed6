import { EventEmitter } from 'node:events';

import type { types } from 'mediasoup';

import type { ProducerAppData } from './media-peer';

export interface ActiveSpeakerEvents {
  /** The active speaker changed; null when there is none (they muted or left). */
  change: [peerId: string | null];
}

/**
 * Who is speaking in a room, from mediasoup's ActiveSpeakerObserver over the
 * room's microphones (it reads the ssrc-audio-level RTP header extension that
 * browsers add to Opus).
 */
export class ActiveSpeaker extends EventEmitter<ActiveSpeakerEvents> {
  readonly #observer: types.ActiveSpeakerObserver;
  // mediasoup's dominant speaker. It stays dominant while muted, and after
  // leaving, until someone else speaks; meanwhile nobody is reported instead,
  // and an unmute brings them back (mediasoup will not announce them again).
  #dominant: types.Producer<ProducerAppData> | undefined;
  #reported: string | null = null;

  private constructor(observer: types.ActiveSpeakerObserver) {
    super();
    this.#observer = observer;
    observer.on('dominantspeaker', ({ producer }) => {
      // Every producer on the observer came through addProducer.
      this.#dominant = producer as types.Producer<ProducerAppData>;
      this.#report();
    });
  }

  static async create(router: types.Router): Promise<ActiveSpeaker> {
    return new ActiveSpeaker(await router.createActiveSpeakerObserver());
  }

  async addProducer(producer: types.Producer<ProducerAppData>): Promise<void> {
    await this.#observer.addProducer({ producerId: producer.id });
    const changed = (): void => {
      if (this.#dominant === producer) this.#report();
    };
    producer.observer.on('pause', changed);
    producer.observer.on('resume', changed);
    producer.observer.once('close', changed);
  }

  #report(): void {
    const dominant = this.#dominant;
    const peerId = dominant && !dominant.paused && !dominant.closed ? dominant.appData.peerId : null;
    if (peerId === this.#reported) return;
    this.#reported = peerId;
    this.emit('change', peerId);
  }
}
