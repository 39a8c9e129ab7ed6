import type { types } from 'mediasoup';

import { loadMediasoup, type ConsumerInfo, type MediaRoom, type PlainTransportInfo, type ProducerSource } from '../../../src';
import type { PhoneBridgeRoom } from '../../../src/phone';

/** mediasoup's transports and producers by id, seen through its observer API (create before the first worker). */
export class MediasoupLookup {
  readonly #transports = new Map<string, types.Transport>();
  readonly #producers = new Map<string, types.Producer>();

  constructor() {
    loadMediasoup().observer.on('newworker', (worker) => {
      worker.observer.on('newrouter', (router) => {
        router.observer.on('newtransport', (transport) => {
          this.#transports.set(transport.id, transport);
          transport.observer.on('newproducer', (producer) => this.#producers.set(producer.id, producer));
        });
      });
    });
  }

  transport(id: string): types.Transport {
    const transport = this.#transports.get(id);
    if (!transport) throw new Error(`no transport ${id}`);
    return transport;
  }

  producer(id: string): types.Producer | undefined {
    return this.#producers.get(id);
  }
}

/**
 * The real MediaRoom, plus the one thing the bridge needs that it does not do
 * yet: consume onto a peer's plain transport (MediaRoom.consume only uses a
 * WebRTC receive transport). Emulated here through mediasoup's observer API,
 * with MediaRoom's rules: not the peer's own producer, paused until resumed.
 */
export class PlainConsumingRoom implements PhoneBridgeRoom {
  readonly #room: MediaRoom;
  readonly #lookup: MediasoupLookup;
  readonly #capabilities = new Map<string, types.RtpCapabilities>();
  readonly #plainTransports = new Map<string, string>();
  readonly #consumers = new Map<string, types.Consumer>();

  constructor(room: MediaRoom, lookup: MediasoupLookup) {
    this.#room = room;
    this.#lookup = lookup;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#room.rtpCapabilities;
  }

  setRtpCapabilities(peerId: string, rtpCapabilities: types.RtpCapabilities): void {
    this.#capabilities.set(peerId, rtpCapabilities);
    this.#room.setRtpCapabilities(peerId, rtpCapabilities);
  }

  async createPlainTransport(peerId: string, options: { comedia: true }): Promise<PlainTransportInfo> {
    const info = await this.#room.createPlainTransport(peerId, options);
    this.#plainTransports.set(peerId, info.id);
    return info;
  }

  produce(peerId: string, transportId: string, kind: types.MediaKind, rtpParameters: types.RtpParameters, appData: { source: ProducerSource }): Promise<string> {
    return this.#room.produce(peerId, transportId, kind, rtpParameters, appData);
  }

  setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    return this.#room.setProducerPaused(producerId, paused);
  }

  async consume(peerId: string, producerId: string): Promise<ConsumerInfo | null> {
    const transportId = this.#plainTransports.get(peerId);
    const rtpCapabilities = this.#capabilities.get(peerId);
    const producer = this.#lookup.producer(producerId);
    if (!transportId || !rtpCapabilities || !producer || producer.appData.peerId === peerId) return null;
    const consumer = await this.#lookup.transport(transportId).consume({ producerId, rtpCapabilities, paused: true });
    this.#consumers.set(consumer.id, consumer);
    return { consumerId: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, producerPaused: consumer.producerPaused };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (consumer) await consumer.resume();
    else await this.#room.resumeConsumer(peerId, consumerId);
  }

  closePeer(peerId: string): void {
    this.#room.closePeer(peerId);
  }
}
