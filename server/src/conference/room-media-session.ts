import { MediaError, type MediaRoom, type ProducerInfo } from '@konferenz/sfu';
import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses, MediaJson, MediaSource } from '@konferenz/shared';
import type { AppConfig } from '../config/app-config';
import { NO_MEDIA, type MediaSummary } from './conference';
import type { ConferenceMessages } from './participant-connection';
import { iceServers } from './turn-credentials';

/**
 * A participant who hears the room through the server instead of a browser (a phone's audio
 * bridge): it is never offered consumers, it is told which audio producers to hear. What it
 * consumes, and when those consumers close, is its own business (the room's phone mix).
 */
export interface MediaListener {
  hear(producerId: string): Promise<unknown>;
}

export type MediaRequestName = Extract<ConferenceRequestName, `media:${string}`>;

type MediaHandlers = {
  [N in MediaRequestName]: (peerId: string, payload: ConferenceRequest<N>) => Promise<ConferenceResponses[N]>;
};

export interface MediaSessionHooks {
  /** Admitted browser participants with a live connection: the ones offered consumers. */
  receivers(): string[];
  /** Every admitted participant with a live connection (browsers and phones): whose producers count. */
  members(): string[];
  send<E extends keyof ConferenceMessages>(peerId: string, event: E, ...payload: Parameters<ConferenceMessages[E]>): void;
  /** A producer appeared, vanished or was (un)muted: participants' views need refreshing. */
  mediaChanged(): void;
  /** A participant's microphone appeared, went, or was paused or resumed: told right where it happens. */
  microphoneChanged(peerId: string, microphone: MediaSummary['microphone']): void;
  activeSpeaker(peerId: string | null): void;
}

// mediasoup's parameter types are opaque JSON on the wire; mediasoup validates them itself.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the cast into mediasoup's own types
type Json = any;

/**
 * The media side of one conference: turns the browsers' media requests into calls on the SFU
 * room, hands every new producer to everyone else as a paused consumer, and forwards the room's
 * events to the participants concerned.
 */
export class RoomMediaSession {
  readonly #handlers: MediaHandlers = {
    'media:rtpCapabilities': async () => ({ rtpCapabilities: this.room.rtpCapabilities as unknown as MediaJson }),
    'media:setRtpCapabilities': async (peerId, { rtpCapabilities }) => {
      this.room.setRtpCapabilities(peerId, rtpCapabilities as Json);
      return {};
    },
    'media:createTransport': async (peerId, { direction }) => {
      const transport = await this.room.createWebRtcTransport(peerId, direction);
      // Existing producers are offered once the participant can receive: right after this answer.
      if (direction === 'recv') setImmediate(() => void this.#offerExistingProducers(peerId));
      return { ...(transport as Json), iceServers: iceServers(this.turn, peerId) };
    },
    'media:connectTransport': async (peerId, { transportId, dtlsParameters }) => {
      await this.room.connectTransport(peerId, transportId, dtlsParameters as Json);
      return {};
    },
    'media:restartIce': async (peerId, { transportId }) => ({
      iceParameters: (await this.room.restartIce(peerId, transportId)) as unknown as MediaJson,
    }),
    'media:produce': async (peerId, { transportId, kind, rtpParameters, source }) => {
      const producerId = await this.room.produce(peerId, transportId, kind, rtpParameters as Json, { source });
      this.hooks.mediaChanged();
      if (source === 'microphone') this.#microphoneChanged(peerId);
      return { producerId };
    },
    'media:closeProducer': async (peerId, { producerId }) => {
      const closing = this.#producer(peerId, producerId);
      await this.room.closeProducer(peerId, producerId);
      this.hooks.mediaChanged();
      if (closing?.source === 'microphone') this.#microphoneChanged(peerId);
      return {};
    },
    'media:setProducerPaused': async (peerId, { producerId, paused }) => {
      const producer = this.#producer(peerId, producerId);
      if (!producer) throw new MediaError('NOT_ALLOWED', 'Not your producer');
      await this.room.setProducerPaused(producerId, paused);
      this.hooks.mediaChanged();
      if (producer.source === 'microphone' && producer.paused !== paused) this.#microphoneChanged(peerId);
      return {};
    },
    'media:resumeConsumer': async (peerId, { consumerId }) => {
      await this.room.resumeConsumer(peerId, consumerId);
      return {};
    },
    'media:setConsumerSize': async (peerId, { consumerId, width, height }) => {
      await this.room.setConsumerSize(peerId, consumerId, width, height);
      return {};
    },
  };

  readonly #listeners = new Map<string, MediaListener>();

  constructor(
    readonly room: MediaRoom,
    private readonly hooks: MediaSessionHooks,
    private readonly turn: AppConfig['turn'],
  ) {
    room.on('newProducer', ({ peerId, producerId, kind, source }) => {
      for (const receiver of this.hooks.receivers()) {
        if (receiver !== peerId) void this.#offer(receiver, peerId, producerId, source);
      }
      if (kind !== 'audio') return;
      for (const [listenerId, listener] of this.#listeners) {
        if (listenerId !== peerId) listener.hear(producerId).catch(() => undefined);
      }
    });
    room.on('consumerClosed', ({ peerId, consumerId }) => this.hooks.send(peerId, 'media:consumerClosed', { consumerId }));
    room.on('consumerPaused', ({ peerId, consumerId, paused }) => this.hooks.send(peerId, 'media:consumerPaused', { consumerId, paused }));
    room.on('activeSpeaker', ({ peerId }) => this.hooks.activeSpeaker(peerId));
  }

  request<N extends MediaRequestName>(peerId: string, name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]> {
    const handler: MediaHandlers[N] = this.#handlers[name];
    return handler(peerId, payload);
  }

  summary(peerId: string): MediaSummary {
    const producers = this.room.producersOf(peerId);
    const microphone = producers.find((producer) => producer.source === 'microphone');
    const camera = producers.find((producer) => producer.source === 'camera');
    return {
      microphone: microphone ? (microphone.paused ? 'muted' : 'on') : NO_MEDIA.microphone,
      camera: camera ? (camera.paused ? 'off' : 'on') : NO_MEDIA.camera,
      screen: producers.some((producer) => producer.source === 'screen'),
    };
  }

  /** The moderator's mute: the participant's microphone producer is paused on the server. */
  async muteMicrophone(peerId: string): Promise<void> {
    const microphones = this.room.producersOf(peerId).filter((producer) => producer.source === 'microphone' && !producer.paused);
    await Promise.all(microphones.map((producer) => this.room.setProducerPaused(producer.id, true)));
    this.hooks.mediaChanged();
    if (microphones.length > 0) this.#microphoneChanged(peerId);
  }

  /**
   * A phone's bridge joins the room's audio: it hears every other member's audio producer now
   * and each new one as it appears. Its own producer (created by the bridge on the room
   * directly) is announced to the others here.
   */
  async attachListener(peerId: string, listener: MediaListener): Promise<void> {
    this.#listeners.set(peerId, listener);
    this.hooks.mediaChanged();
    // The bridge's producer was made on the room directly: its microphone is news from here.
    this.#microphoneChanged(peerId);
    for (const other of this.hooks.members()) {
      if (other === peerId) continue;
      for (const producer of this.room.producersOf(other)) {
        if (producer.kind === 'audio') await listener.hear(producer.id).catch(() => undefined);
      }
    }
  }

  detachListener(peerId: string, listener: MediaListener): void {
    if (this.#listeners.get(peerId) === listener) this.#listeners.delete(peerId);
  }

  closePeer(peerId: string): void {
    this.#listeners.delete(peerId);
    this.room.closePeer(peerId);
  }

  close(): void {
    this.room.close();
  }

  #producer(peerId: string, producerId: string): ProducerInfo | undefined {
    return this.room.producersOf(peerId).find((producer) => producer.id === producerId);
  }

  #microphoneChanged(peerId: string): void {
    this.hooks.microphoneChanged(peerId, this.summary(peerId).microphone);
  }

  async #offerExistingProducers(peerId: string): Promise<void> {
    for (const other of this.hooks.members()) {
      if (other === peerId) continue;
      for (const producer of this.room.producersOf(other)) await this.#offer(peerId, other, producer.id, producer.source);
    }
  }

  async #offer(peerId: string, ownerId: string, producerId: string, source: MediaSource): Promise<void> {
    try {
      const consumer = await this.room.consume(peerId, producerId);
      if (!consumer) return;
      this.hooks.send(peerId, 'media:newConsumer', {
        consumerId: consumer.consumerId,
        producerId,
        participantId: ownerId,
        kind: consumer.kind,
        source,
        rtpParameters: consumer.rtpParameters as unknown as MediaJson,
        producerPaused: consumer.producerPaused,
      });
    } catch {
      // The producer or the receiver went away meanwhile: nothing to offer.
    }
  }
}
