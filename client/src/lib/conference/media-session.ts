import { MEDIA_SOURCES, type MediaJson, type MediaSource, type NewConsumerView, type TransportOptionsView } from '@konferenz/shared';
import type { Device, types } from 'mediasoup-client';
import type { ConferenceSignaling } from './conference-connection';
import { detectDevice, sameCapabilities, takePreparedDevice, type CreateDevice } from './media-device';
import { CAMERA_CODEC_OPTIONS, CAMERA_ENCODINGS, MICROPHONE_CODEC_OPTIONS, SCREEN_ENCODINGS } from './media-constraints';
import type { RemoteMedia } from './remote-media';
import { summarizeTransportStats, type ConferenceStats, type RtpStatsEntry } from './transport-stats';

type Transport = types.Transport;
type Producer = types.Producer;
type Consumer = types.Consumer;
type Direction = 'send' | 'recv';

/** After 'disconnected', ICE often recovers by itself: wait this long before restarting it. */
const DISCONNECTED_GRACE_MS = 2_000;
/** While a transport stays broken, try another ICE restart this often. */
const RESTART_RETRY_MS = 5_000;

export interface MediaSessionListener {
  /** Whether a transport is disconnected or failed right now (the UI says "reconnecting"). */
  transportTrouble(trouble: boolean): void;
}

function isMediaSource(value: unknown): value is MediaSource {
  return typeof value === 'string' && (MEDIA_SOURCES as readonly string[]).includes(value);
}

/** A promise that can be settled from outside: transports that consumers wait for. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * The browser's side of one conference's media, for one run of the media flow: the mediasoup
 * Device, one send and one receive transport, the producers of this participant (at most one per
 * source) and the consumers of everyone else's tracks. Closed as a whole when the server resets
 * media, the socket reconnects or the participant leaves; a new one then starts from scratch.
 * Local tracks are not its own: it never stops them.
 */
export class MediaSession {
  readonly #signaling: ConferenceSignaling;
  readonly #listener: MediaSessionListener;
  readonly #createDevice: CreateDevice;
  #device: Device | null = null;
  readonly #transports = new Map<Direction, Transport>();
  readonly #ready = { send: deferred<Transport | null>(), recv: deferred<Transport | null>() };
  readonly #producers = new Map<MediaSource, Producer>();
  readonly #consumers = new Map<string, Consumer>();
  /** Consumers the server closed while they were still being created. */
  readonly #closedEarly = new Set<string>();
  readonly #restartTimers = new Map<string, ReturnType<typeof setTimeout>>();
  #trouble = false;
  #closed = false;

  constructor(signaling: ConferenceSignaling, listener: MediaSessionListener, createDevice: CreateDevice = detectDevice) {
    this.#signaling = signaling;
    this.#listener = listener;
    this.#createDevice = createDevice;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Loads the device with the router's capabilities (or takes the join page's) and creates both transports. */
  async start(): Promise<void> {
    const loaded = await this.#loadDevice();
    if (!loaded || this.#closed) return;
    const { device, recvOptions } = loaded;
    this.#device = device;
    for (const direction of ['recv', 'send'] as const) {
      const transport = await this.#createTransport(device, direction, direction === 'recv' ? recvOptions : undefined);
      if (this.#closed) {
        transport.close();
        return;
      }
      this.#transports.set(direction, transport);
      this.#ready[direction].resolve(transport);
    }
  }

  /**
   * With a device the join page prepared, its capabilities and the receive transport are asked
   * for at once (the server answers in order, and offers the room's tracks as soon as the
   * transport exists), and the router's capabilities only confirm the device; without one (or if
   * they differ) the device is loaded from that answer, and the receive transport asked for anew
   * (the server keeps one per direction: the early one goes, with what it was offered).
   */
  async #loadDevice(): Promise<{ device: Device; recvOptions?: Promise<TransportOptionsView> } | null> {
    const prepared = takePreparedDevice();
    let routerRtpCapabilities: MediaJson;
    if (prepared) {
      const confirming = this.#signaling.request('media:rtpCapabilities', {});
      const setting = this.#signaling.request('media:setRtpCapabilities', { rtpCapabilities: prepared.device.recvRtpCapabilities });
      const recvOptions = this.#signaling.request('media:createTransport', { direction: 'recv' });
      // Its failure is met where it is awaited, or not at all when it is replaced.
      recvOptions.catch(() => undefined);
      const [{ rtpCapabilities }] = await Promise.all([confirming, setting]);
      if (sameCapabilities(rtpCapabilities, prepared.routerRtpCapabilities)) return { device: prepared.device, recvOptions };
      routerRtpCapabilities = rtpCapabilities;
    } else {
      routerRtpCapabilities = (await this.#signaling.request('media:rtpCapabilities', {})).rtpCapabilities;
    }
    const device = await this.#createDevice();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities });
    if (this.#closed) return null;
    await this.#signaling.request('media:setRtpCapabilities', { rtpCapabilities: device.recvRtpCapabilities });
    return { device };
  }

  async #createTransport(device: Device, direction: Direction, requested?: Promise<TransportOptionsView>): Promise<Transport> {
    const options = await (requested ?? this.#signaling.request('media:createTransport', { direction }));
    const transportOptions: types.TransportOptions = {
      id: options.id,
      iceParameters: options.iceParameters as types.IceParameters,
      iceCandidates: options.iceCandidates as types.IceCandidate[],
      dtlsParameters: options.dtlsParameters as types.DtlsParameters,
      iceServers: options.iceServers,
    };
    const transport = direction === 'send' ? device.createSendTransport(transportOptions) : device.createRecvTransport(transportOptions);

    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#signaling.request('media:connectTransport', { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData.source;
        if (!isMediaSource(source)) {
          errback(new Error('producer without a source'));
          return;
        }
        this.#signaling
          .request('media:produce', { transportId: transport.id, kind, rtpParameters, source })
          .then(({ producerId }) => callback({ id: producerId }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => this.#onConnectionState(transport, state));
    return transport;
  }

  #onConnectionState(transport: Transport, state: types.ConnectionState): void {
    if (state === 'failed') this.#scheduleIceRestart(transport, 0);
    else if (state === 'disconnected') this.#scheduleIceRestart(transport, DISCONNECTED_GRACE_MS);
    else if (state === 'connected') this.#cancelIceRestart(transport);
    this.#updateTrouble();
  }

  #updateTrouble(): void {
    const trouble =
      !this.#closed && [...this.#transports.values()].some(({ connectionState }) => connectionState === 'disconnected' || connectionState === 'failed');
    if (trouble === this.#trouble) return;
    this.#trouble = trouble;
    this.#listener.transportTrouble(trouble);
  }

  #scheduleIceRestart(transport: Transport, delayMs: number): void {
    if (this.#closed || this.#restartTimers.has(transport.id)) return;
    const timer = setTimeout(() => {
      this.#restartTimers.delete(transport.id);
      void this.#restartIce(transport);
    }, delayMs);
    this.#restartTimers.set(transport.id, timer);
  }

  #cancelIceRestart(transport: Transport): void {
    clearTimeout(this.#restartTimers.get(transport.id));
    this.#restartTimers.delete(transport.id);
  }

  /** New ICE credentials from the server, so the browser probes paths anew (network change, NAT rebinding). */
  async #restartIce(transport: Transport): Promise<void> {
    const broken = () => transport.connectionState === 'disconnected' || transport.connectionState === 'failed';
    if (this.#closed || transport.closed || !broken()) return;
    try {
      const { iceParameters } = await this.#signaling.request('media:restartIce', { transportId: transport.id });
      if (!this.#closed && !transport.closed) await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    } catch {
      // the socket may be down too; its reconnect rebuilds all media anyway
    }
    // Still broken a while later (no state change to wake us): try again.
    if (!this.#closed && !transport.closed) {
      const timer = setTimeout(() => {
        this.#restartTimers.delete(transport.id);
        if (broken()) void this.#restartIce(transport);
      }, RESTART_RETRY_MS);
      this.#restartTimers.set(transport.id, timer);
    }
  }

  hasProducer(source: MediaSource): boolean {
    return this.#producers.has(source);
  }

  /** Sends a local track. `paused`: starts muted (the microphone of someone joining muted). */
  async produce(source: MediaSource, track: MediaStreamTrack, { paused = false } = {}): Promise<void> {
    const transport = await this.#ready.send.promise;
    if (!transport || this.#closed) return;
    if (this.#producers.has(source)) await this.closeProducer(source);
    if (paused) track.enabled = false; // nothing audible escapes before the pause below
    const producer = await transport.produce({ track, stopTracks: false, appData: { source }, ...this.#encodingFor(source) });
    if (this.#closed) {
      producer.close();
      return;
    }
    this.#producers.set(source, producer);
    producer.on('transportclose', () => this.#producers.delete(source));
    if (paused) await this.setProducerPaused(source, true);
  }

  /**
   * Sends another track in place of a producer's (another microphone or camera): the RTP sender's
   * replaceTrack, no renegotiation, and a paused (muted) producer stays paused. Without such a
   * producer there is nothing to replace: false.
   */
  async replaceTrack(source: MediaSource, track: MediaStreamTrack): Promise<boolean> {
    const producer = this.#producers.get(source);
    if (!producer || producer.closed) return false;
    await producer.replaceTrack({ track });
    return true;
  }

  #encodingFor(source: MediaSource): Pick<types.ProducerOptions, 'encodings' | 'codecOptions' | 'codec'> {
    if (source === 'microphone') return { codecOptions: { ...MICROPHONE_CODEC_OPTIONS } };
    const vp8 = this.#device?.sendRtpCapabilities.codecs?.find((codec) => codec.mimeType.toLowerCase() === 'video/vp8');
    if (source === 'camera') return { encodings: CAMERA_ENCODINGS, codecOptions: { ...CAMERA_CODEC_OPTIONS }, codec: vp8 };
    return { encodings: SCREEN_ENCODINGS, codec: vp8 };
  }

  /** Mutes or unmutes a producer here (the track goes silent) and tells the server. */
  async setProducerPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.pauseLocally(source, paused);
    await this.#signaling.request('media:setProducerPaused', { producerId: producer.id, paused });
  }

  /** Mirrors a pause the server already made (a moderator muted this participant). */
  pauseLocally(source: MediaSource, paused: boolean): void {
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (paused) producer.pause();
    else producer.resume();
  }

  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    await this.#signaling.request('media:closeProducer', { producerId: producer.id });
  }

  /** Receives a track the server offers; null when this session closed meanwhile or the offer was withdrawn. */
  async consume(view: NewConsumerView): Promise<RemoteMedia | null> {
    const transport = await this.#ready.recv.promise;
    if (!transport || this.#closed) return null;
    const consumer = await transport.consume({
      id: view.consumerId,
      producerId: view.producerId,
      kind: view.kind,
      rtpParameters: view.rtpParameters as types.RtpParameters,
      streamId: `${view.participantId}-${view.source === 'screen' ? 'screen' : 'camera'}`,
      appData: { participantId: view.participantId, source: view.source },
    });
    if (this.#closed || this.#closedEarly.delete(view.consumerId)) {
      consumer.close();
      return null;
    }
    this.#consumers.set(consumer.id, consumer);
    consumer.on('transportclose', () => this.#consumers.delete(consumer.id));
    return {
      consumerId: consumer.id,
      participantId: view.participantId,
      kind: view.kind,
      source: view.source,
      track: consumer.track,
      paused: view.producerPaused,
    };
  }

  /** Asks the server to start sending a consumer's packets (consumers are created paused). */
  async resumeConsumer(consumerId: string): Promise<void> {
    if (!this.#consumers.has(consumerId)) return;
    await this.#signaling.request('media:resumeConsumer', { consumerId });
  }

  closeConsumer(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) {
      this.#closedEarly.add(consumerId);
      return;
    }
    this.#consumers.delete(consumerId);
    consumer.close();
  }

  async stats(): Promise<ConferenceStats> {
    const report = async (direction: Direction) => {
      const transport = this.#transports.get(direction);
      if (!transport || transport.closed) return null;
      const stats = await transport.getStats();
      return [...stats.values()] as RtpStatsEntry[];
    };
    const [send, recv] = await Promise.all([report('send'), report('recv')]);
    return summarizeTransportStats(send, recv, this.#consumers.size);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#restartTimers.values()) clearTimeout(timer);
    this.#restartTimers.clear();
    // Closing a transport closes its producers and consumers; local tracks stay (stopTracks: false).
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.#ready.send.resolve(null);
    this.#ready.recv.resolve(null);
    this.#updateTrouble();
  }
}
