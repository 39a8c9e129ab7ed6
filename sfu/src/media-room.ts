import { EventEmitter } from 'node:events';

import type { types } from 'mediasoup';

import { MediaConsumer } from './media-consumer';
import { MediaError, mediaCall } from './media-error';
import type { MediaPeer, ProducerAppData, ProducerSource, TransportDirection } from './media-peer';
import { RoomPeers } from './room-peers';
import { RoomRouters, type PlaceRouter, type RoomRouter } from './room-routers';

export interface MediaRoomEvents {
  /** Someone started sending: the server lets every other admitted peer consume it. */
  newProducer: [{ peerId: string; producerId: string; kind: types.MediaKind; source: ProducerSource }];
  /** A peer's consumer ended because its producer did (closed, or its owner left). */
  consumerClosed: [{ peerId: string; consumerId: string }];
  /** The producer behind a peer's consumer was muted or unmuted. */
  consumerPaused: [{ peerId: string; consumerId: string; paused: boolean }];
  activeSpeaker: [{ peerId: string | null }];
  /**
   * The room's worker died and the room now runs on another one, with no peers:
   * every peer has to set its RTP capabilities, create transports and produce
   * again. MediaPlane re-emits this as 'roomReset'.
   */
  reset: [];
  close: [];
}

export interface WebRtcTransportInfo {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface PlainTransportOptions {
  /**
   * Learn where to send from the first packet received (symmetric RTP, as SIP
   * phones behind NAT need). The only mode so far: nothing connects a plain
   * transport to a known address yet.
   */
  comedia: true;
  /**
   * Only receives from the room (bench:sfu's listeners; a recorder could): it cannot produce, and
   * is placed like a browser's receive transport, so it may be on a router
   * on another worker. Default false: a phone's transport, which also sends.
   */
  receiveOnly?: boolean;
}

export interface PlainTransportInfo {
  id: string;
  /** Where the remote side sends RTP (and RTCP: rtcp-mux). */
  ip: string;
  port: number;
}

export interface ProducerInfo {
  id: string;
  kind: types.MediaKind;
  source: ProducerSource;
  paused: boolean;
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
  producerPaused: boolean;
}

export interface MediaRoomSettings {
  /** Picks the worker for each of the room's routers: when the room opens, when it spreads, and after a worker died. */
  placeRouter: PlaceRouter;
  /**
   * The consumers one router of the room carries before new listeners go to
   * a router on another worker (see RoomRouters). Default: no limit, one router.
   */
  maxRouterLoad?: number;
  /** Where plain (phone) transports listen, and the address they announce. */
  plainListenInfo: types.TransportListenInfo;
  initialAvailableOutgoingBitrate?: number;
}

/**
 * A conference's media: its mediasoup routers (one, or several across
 * workers for a large room: RoomRouters) and the peers on them.
 *
 * The server names peers by participant id and decides who may do what; the
 * room only makes sure a peer touches nothing but its own transports,
 * producers and consumers.
 */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly id: string;
  readonly #settings: MediaRoomSettings;
  readonly #peers = new RoomPeers();
  // Replaced as a whole when one of its workers dies.
  #media!: RoomRouters;
  #closed = false;

  private constructor(id: string, settings: MediaRoomSettings) {
    super();
    this.id = id;
    this.#settings = settings;
  }

  static async create(id: string, settings: MediaRoomSettings): Promise<MediaRoom> {
    const room = new MediaRoom(id, settings);
    room.#media = await room.#openMedia();
    return room;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#media.home.router.rtpCapabilities;
  }

  /** How many routers, each on its own worker, the room runs on now. */
  get routerCount(): number {
    return this.#media.routerCount;
  }

  async createWebRtcTransport(peerId: string, direction: TransportDirection): Promise<WebRtcTransportInfo> {
    const peer = this.#peerOrNew(peerId);
    const transport = await this.#createTransport(direction === 'recv', (router) =>
      router.router.createWebRtcTransport({
        webRtcServer: router.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: this.#settings.initialAvailableOutgoingBitrate,
      }),
    );
    this.#keepFor(peer, transport);
    peer.addTransport({ kind: 'webrtc', direction, transport });
    const { id, iceParameters, iceCandidates, dtlsParameters } = transport;
    return { id, iceParameters, iceCandidates, dtlsParameters };
  }

  /** A plain RTP transport (no ICE, no DTLS): a phone call's audio, or (receiveOnly) a listener such as a mix. */
  async createPlainTransport(peerId: string, options: PlainTransportOptions): Promise<PlainTransportInfo> {
    const peer = this.#peerOrNew(peerId);
    const receiveOnly = options.receiveOnly === true;
    const transport = await this.#createTransport(receiveOnly, (router) =>
      router.router.createPlainTransport({ listenInfo: this.#settings.plainListenInfo, rtcpMux: true, comedia: options.comedia }),
    );
    this.#keepFor(peer, transport);
    peer.addTransport({ kind: 'plain', receiveOnly, transport });
    return { id: transport.id, ip: transport.tuple.localIp, port: transport.tuple.localPort };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const { transport } = this.#peers.ownWebRtcTransport(peerId, transportId);
    await mediaCall(() => transport.connect({ dtlsParameters }));
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    const { transport } = this.#peers.ownWebRtcTransport(peerId, transportId);
    return mediaCall(() => transport.restartIce());
  }

  setRtpCapabilities(peerId: string, rtpCapabilities: types.RtpCapabilities): void {
    this.#peerOrNew(peerId).rtpCapabilities = rtpCapabilities;
  }

  /** One producer per source and peer: a second camera is a client bug, not a feature. */
  async produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
    appData: { source: ProducerSource },
  ): Promise<string> {
    const { source } = appData;
    const peer = this.#peers.require(peerId);
    const entry = this.#peers.ownTransport(peer, transportId);
    if ((entry.kind === 'webrtc' && entry.direction !== 'send') || (entry.kind === 'plain' && entry.receiveOnly)) {
      throw new MediaError('NOT_ALLOWED', `transport ${transportId} is for receiving`);
    }
    if ((source === 'microphone' && kind !== 'audio') || (source === 'camera' && kind !== 'video')) {
      throw new MediaError('NOT_ALLOWED', `a ${source} cannot send ${kind}`);
    }
    this.#assertSourceFree(peer, source);
    assertCodecsOfKind(kind, rtpParameters);
    const media = this.#liveMedia();
    const producer = await mediaCall(() => entry.transport.produce<ProducerAppData>({ kind, rtpParameters, appData: { peerId, source } }));
    this.#keepFor(peer, producer);
    try {
      // Two concurrent requests for one source both passed the first check.
      this.#assertSourceFree(peer, source);
      peer.addProducer(producer);
      if (source === 'microphone') await mediaCall(() => media.activeSpeaker.addProducer(producer));
    } catch (error) {
      // Also takes it off the peer again.
      producer.close();
      throw error;
    }
    this.emit('newProducer', { peerId, producerId: producer.id, kind, source });
    return producer.id;
  }

  async closeProducer(peerId: string, producerId: string): Promise<void> {
    this.#peers.ownProducer(peerId, producerId).close();
  }

  /** Mute and unmute: the server decides whether the caller may (self or moderator). */
  async setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    const { producer } = this.#peers.producerOwner(producerId);
    await mediaCall(() => (paused ? producer.pause() : producer.resume()));
  }

  /** A peer without media yet has no producers. */
  producersOf(peerId: string): ProducerInfo[] {
    const peer = this.#peers.get(peerId);
    if (!peer) return [];
    return [...peer.producers].map(({ id, kind, appData, paused }) => ({ id, kind, source: appData.source, paused }));
  }

  /**
   * A paused consumer on the peer's receive transport; the browser (or a
   * phone's bridge) resumes it once it is set up on its side. null when the
   * peer cannot use it: no capabilities or receive transport yet (including a
   * peer unknown to the room), a codec it cannot decode, its own producer, or
   * one it consumes already (so a race between joining and producing yields
   * one consumer).
   */
  async consume(peerId: string, producerId: string): Promise<ConsumerInfo | null> {
    const { peer: owner } = this.#peers.producerOwner(producerId);
    const peer = this.#peers.get(peerId);
    // A phone has no WebRTC transports: its plain one carries what it hears
    // as well as what it says (comedia: back to where its RTP comes from).
    const recv = peer?.webRtcTransport('recv') ?? peer?.plainTransport();
    const rtpCapabilities = peer?.rtpCapabilities;
    if (!peer || !recv || !rtpCapabilities || peer === owner || peer.consumes(producerId)) return null;
    const media = this.#liveMedia();
    // Also false (not a throw) for capabilities that are malformed.
    if (!media.home.router.canConsume({ producerId, rtpCapabilities })) return null;

    await media.pipe(producerId, media.routerOf(recv.transport));
    const consumer = await mediaCall(() => recv.transport.consume({ producerId, rtpCapabilities, paused: true }));
    this.#keepFor(peer, consumer);
    if (peer.consumes(producerId)) {
      consumer.close();
      return null;
    }
    const consumerId = consumer.id;
    consumer.on('producerclose', () => this.emit('consumerClosed', { peerId, consumerId }));
    consumer.on('producerpause', () => this.emit('consumerPaused', { peerId, consumerId, paused: true }));
    consumer.on('producerresume', () => this.emit('consumerPaused', { peerId, consumerId, paused: false }));
    peer.addConsumer(new MediaConsumer(consumer));
    return { consumerId, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters, producerPaused: consumer.producerPaused };
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    const consumer = this.#peers.ownConsumer(peerId, consumerId);
    await mediaCall(() => consumer.markReady());
  }

  /**
   * The size of the consumer's tile in the peer's browser: video is sent at the
   * simulcast layer that fits (see simulcast-layers.ts), and not at all while
   * the tile is hidden (0x0). Audio ignores this.
   */
  async setConsumerSize(peerId: string, consumerId: string, width: number, height: number): Promise<void> {
    const consumer = this.#peers.ownConsumer(peerId, consumerId);
    await mediaCall(() => consumer.setTileSize(width, height));
  }

  /** The peer left the room's media; the consumers of its producers close (consumerClosed). */
  closePeer(peerId: string): void {
    this.#peers.remove(peerId)?.close();
  }

  /** Ends the room's media: closing the router closes every transport, producer and consumer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peers.clear();
    this.#media.close();
    this.emit('close');
  }

  /**
   * Sending transports go on the home router; a listener's on the router
   * RoomRouters places it on, counted there for as long as the transport lives.
   */
  async #createTransport<T extends types.Transport>(listener: boolean, create: (router: RoomRouter) => Promise<T>): Promise<T> {
    const media = this.#liveMedia();
    const { router, release } = listener ? await media.placeListener(this.#peers.producerCount()) : { router: media.home, release: () => {} };
    let transport: T;
    try {
      transport = await mediaCall(() => create(router));
    } catch (error) {
      release();
      throw error;
    }
    transport.observer.once('close', release);
    media.setRouterOf(transport, router);
    return transport;
  }

  async #openMedia(): Promise<RoomRouters> {
    const media: RoomRouters = await RoomRouters.open({
      placeRouter: this.#settings.placeRouter,
      maxRouterLoad: this.#settings.maxRouterLoad ?? Infinity,
      onWorkerClosed: (worker) => this.#onWorkerClosed(media, worker),
    });
    media.activeSpeaker.on('change', (peerId) => {
      if (!this.#closed && media === this.#media) this.emit('activeSpeaker', { peerId });
    });
    return media;
  }

  #onWorkerClosed(media: RoomRouters, worker: types.Worker): void {
    if (this.#closed || media !== this.#media) return;
    // Not a crash: the pool is shutting down, and the room with it.
    if (!worker.died) {
      this.close();
      return;
    }
    // mediasoup closed what the dead worker's router held. A listener's
    // consumers depend on the home router's producers and the other way
    // round, so the room starts over as a whole on live workers: the reset
    // tells every browser at once instead of one by one.
    this.#peers.clear();
    media.close();
    void this.#rebuild();
  }

  async #rebuild(): Promise<void> {
    let media: RoomRouters;
    try {
      media = await this.#openMedia();
    } catch {
      // No router to be had (the plane is closing, or the new worker failed
      // as well): the conference's media ends, and 'close' tells the server.
      this.close();
      return;
    }
    if (this.#closed) {
      media.close();
      return;
    }
    this.#media = media;
    this.emit('reset');
  }

  /** The current media, or why there is none to use right now. */
  #liveMedia(): RoomRouters {
    if (this.#closed) throw new MediaError('MEDIA_FAILED', `media room ${this.id} is closed`);
    if (this.#media.closed) {
      throw new MediaError('MEDIA_FAILED', `media room ${this.id} is moving to another media worker`);
    }
    return this.#media;
  }

  #peerOrNew(peerId: string): MediaPeer {
    if (this.#closed) throw new MediaError('MEDIA_FAILED', `media room ${this.id} is closed`);
    return this.#peers.getOrCreate(peerId);
  }

  /**
   * mediasoup finished creating something for a peer that meanwhile left (or
   * whose router died): it must not outlive the peer.
   */
  #keepFor(peer: MediaPeer, created: { closed: boolean; close(): void }): void {
    if (this.#peers.isCurrent(peer) && !created.closed) return;
    created.close();
    throw new MediaError('MEDIA_FAILED', `peer ${peer.id} left media room ${this.id}, or its media was reset, meanwhile`);
  }

  #assertSourceFree(peer: MediaPeer, source: ProducerSource): void {
    for (const producer of peer.producers) {
      if (producer.appData.source === source) {
        throw new MediaError('NOT_ALLOWED', `peer ${peer.id} already sends its ${source}`);
      }
    }
  }
}

/**
 * mediasoup 3.12 takes, say, VP8 for an audio producer; its consumers would
 * then carry a codec the browser's track cannot play. Codecs that are missing
 * or malformed are left to mediasoup, which says what is wrong with them.
 */
function assertCodecsOfKind(kind: types.MediaKind, rtpParameters: types.RtpParameters): void {
  const codecs: unknown = rtpParameters?.codecs;
  if (!Array.isArray(codecs)) return;
  for (const codec of codecs as Array<{ mimeType?: unknown } | undefined>) {
    const mimeType = codec?.mimeType;
    if (typeof mimeType === 'string' && !mimeType.toLowerCase().startsWith(`${kind}/`)) {
      throw new MediaError('MEDIA_FAILED', `codec ${mimeType} cannot be sent as ${kind}`);
    }
  }
}
