import type { types } from 'mediasoup';

import type { MediaConsumer } from './media-consumer';

export type ProducerSource = 'microphone' | 'camera' | 'screen';
export type TransportDirection = 'send' | 'recv';

export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: ProducerSource;
}

/** A browser's WebRTC transport for one direction, or a plain RTP transport: a phone's (both directions) or a listener's (receiveOnly). */
export type PeerTransport =
  | { kind: 'webrtc'; direction: TransportDirection; transport: types.WebRtcTransport }
  | { kind: 'plain'; receiveOnly: boolean; transport: types.PlainTransport };

/**
 * One participant's media in a room: it owns its transports, producers and
 * consumers, and forgets each one when mediasoup closes it, whichever way
 * that happens (explicitly, with its transport, or with the router).
 */
export class MediaPeer {
  readonly id: string;
  /** What the participant's device can receive; until it is known, nothing can be consumed. */
  rtpCapabilities: types.RtpCapabilities | undefined;
  readonly #transports = new Map<string, PeerTransport>();
  readonly #producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly #consumers = new Map<string, MediaConsumer>();

  constructor(id: string) {
    this.id = id;
  }

  /**
   * A browser has one WebRTC transport per direction and a phone one plain
   * transport: a new one replaces the old (closing what was produced or
   * consumed on it), so a client that set up again after a network change
   * does not leave the old one running, and a phone's consumers always land
   * on the transport its bridge listens to.
   */
  addTransport(entry: PeerTransport): void {
    const previous = entry.kind === 'webrtc' ? this.webRtcTransport(entry.direction) : this.plainTransport();
    previous?.transport.close();
    // Typed as the base class: the two observers' event maps differ beyond 'close'.
    const transport: types.Transport = entry.transport;
    this.#transports.set(transport.id, entry);
    transport.observer.once('close', () => this.#transports.delete(transport.id));
  }

  transport(transportId: string): PeerTransport | undefined {
    return this.#transports.get(transportId);
  }

  webRtcTransport(direction: TransportDirection): Extract<PeerTransport, { kind: 'webrtc' }> | undefined {
    for (const entry of this.#transports.values()) {
      if (entry.kind === 'webrtc' && entry.direction === direction) return entry;
    }
    return undefined;
  }

  /** A phone's transport: it sends and receives on this one. */
  plainTransport(): Extract<PeerTransport, { kind: 'plain' }> | undefined {
    for (const entry of this.#transports.values()) {
      if (entry.kind === 'plain') return entry;
    }
    return undefined;
  }

  addProducer(producer: types.Producer<ProducerAppData>): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  producer(producerId: string): types.Producer<ProducerAppData> | undefined {
    return this.#producers.get(producerId);
  }

  get producerCount(): number {
    return this.#producers.size;
  }

  get producers(): IterableIterator<types.Producer<ProducerAppData>> {
    return this.#producers.values();
  }

  addConsumer(consumer: MediaConsumer): void {
    this.#consumers.set(consumer.id, consumer);
    consumer.onClose(() => this.#consumers.delete(consumer.id));
  }

  consumer(consumerId: string): MediaConsumer | undefined {
    return this.#consumers.get(consumerId);
  }

  consumes(producerId: string): boolean {
    for (const consumer of this.#consumers.values()) {
      if (consumer.producerId === producerId) return true;
    }
    return false;
  }

  /** Closing the transports closes everything produced and consumed on them. */
  close(): void {
    for (const { transport } of this.#transports.values()) transport.close();
  }
}
