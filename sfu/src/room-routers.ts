import type { types } from 'mediasoup';

import { ActiveSpeaker } from './active-speaker';
import { mediaCall } from './media-error';
import { ROUTER_MEDIA_CODECS } from './router-codecs';

/** A live worker for a router, and that worker's WebRtcServer. */
export interface WorkerPlacement {
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
}

/**
 * Picks the worker for one of a room's routers: the least loaded live worker
 * outside `avoid` (the workers the room runs on already). undefined when every
 * live worker is in `avoid`; with `avoid` empty it waits for a worker instead.
 */
export type PlaceRouter = (avoid: ReadonlySet<types.Worker>) => Promise<WorkerPlacement | undefined>;

/** One of a room's routers and the consumers and listeners it carries. */
export class RoomRouter {
  readonly router: types.Router;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  #consumers = 0;
  #listeners = 0;

  constructor(placement: WorkerPlacement, router: types.Router) {
    this.worker = placement.worker;
    this.webRtcServer = placement.webRtcServer;
    this.router = router;
    // Counted through the observer, so pipe consumers and a phone's consumers count as well.
    router.observer.on('newtransport', (transport) => {
      transport.observer.on('newconsumer', (consumer) => {
        this.#consumers++;
        consumer.observer.once('close', () => this.#consumers--);
      });
    });
  }

  /**
   * What the router forwards, or will once its listeners consume what the
   * room sends now: a burst of listeners has no consumers yet, but is load.
   * A listener counts as at least one consumer, so listeners who arrive
   * before anyone sends (an audience, everyone after a media reset) spread too.
   */
  load(roomProducers: number): number {
    return Math.max(this.#consumers, this.#listeners * Math.max(roomProducers, 1));
  }

  /** Counts a listener from before its transport exists; the returned call uncounts it, once. */
  addListener(): () => void {
    this.#listeners++;
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.#listeners--;
    };
  }
}

export interface RoomRoutersSettings {
  placeRouter: PlaceRouter;
  /**
   * The load (consumers, see RoomRouter.load) beyond which the room's new
   * listeners receive from a router on another worker, with the producers
   * they consume piped to it. Infinity keeps a room on one router.
   */
  maxRouterLoad: number;
  /** A router of the room lost its worker (it died, or the pool is closing). */
  onWorkerClosed: (worker: types.Worker) => void;
}

/**
 * A room's routers: the home router, where everyone sends, every phone
 * transport lives and the active speaker is observed; and, once the home
 * router's load passes the threshold, routers on other workers for further
 * listeners. A producer is piped (pipeToRouter, over loopback) to such a
 * router the first time one of its listeners consumes it, and only once.
 *
 * So a webinar (a few speakers, many listeners) spreads its forwarding over
 * every core, and a small meeting stays on one router with no pipes.
 */
export class RoomRouters {
  readonly home: RoomRouter;
  readonly activeSpeaker: ActiveSpeaker;
  readonly #settings: RoomRoutersSettings;
  readonly #edges: RoomRouter[] = [];
  readonly #routerOfTransport = new WeakMap<types.Transport, RoomRouter>();
  // Key: router id and producer id. Deleted when the piped producer closes.
  readonly #pipes = new Map<string, Promise<void>>();
  #openingEdge: Promise<RoomRouter | undefined> | undefined;
  #closed = false;

  private constructor(settings: RoomRoutersSettings, home: RoomRouter, activeSpeaker: ActiveSpeaker) {
    this.#settings = settings;
    this.home = home;
    this.activeSpeaker = activeSpeaker;
    this.#watch(home);
  }

  static async open(settings: RoomRoutersSettings): Promise<RoomRouters> {
    const home = await openRouter(settings.placeRouter, new Set());
    if (!home) throw new Error('no media worker for the room');
    try {
      return new RoomRouters(settings, home, await ActiveSpeaker.create(home.router));
    } catch (error) {
      home.router.close();
      throw error;
    }
  }

  /** True once any of the routers is gone: the room's media are reset or closed as a whole. */
  get closed(): boolean {
    return this.#closed || this.home.router.closed || this.#edges.some((edge) => edge.router.closed);
  }

  /** How many routers (workers) the room runs on. */
  get routerCount(): number {
    return 1 + this.#edges.length;
  }

  /**
   * The router a new listener's receive transport goes on: the first one
   * (home first) under the threshold; else a new one on a worker the room
   * does not use yet; else, every worker used, the least loaded of them.
   * The listener is counted at once, so a burst spreads too; the caller
   * uncounts it with the returned call when its transport closes or fails.
   */
  async placeListener(roomProducers: number): Promise<{ router: RoomRouter; release: () => void }> {
    const underThreshold = () => [this.home, ...this.#edges].find((r) => r.load(roomProducers) < this.#settings.maxRouterLoad);
    let router = underThreshold();
    // Listeners that waited for the same new router choose again: it may be full by now.
    while (!router && (await this.#openEdge())) router = underThreshold();
    router ??= [this.home, ...this.#edges].reduce((best, r) => (r.load(roomProducers) < best.load(roomProducers) ? r : best));
    return { router, release: router.addListener() };
  }

  /** Remembers which router a transport was created on; transports not named here are on the home router. */
  setRouterOf(transport: types.Transport, router: RoomRouter): void {
    this.#routerOfTransport.set(transport, router);
  }

  routerOf(transport: types.Transport): RoomRouter {
    return this.#routerOfTransport.get(transport) ?? this.home;
  }

  /** Makes the home router's producer available on `router` (a no-op for the home router itself). */
  async pipe(producerId: string, router: RoomRouter): Promise<void> {
    if (router === this.home) return;
    const key = `${router.router.id}:${producerId}`;
    let piping = this.#pipes.get(key);
    if (!piping) {
      piping = mediaCall(async () => {
        const { pipeProducer } = await this.home.router.pipeToRouter({
          producerId,
          router: router.router,
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          enableSctp: false,
        });
        // Closes when the producer does (its pipe consumer closes first), or with either router.
        pipeProducer?.observer.once('close', () => this.#pipes.delete(key));
      });
      piping.catch(() => this.#pipes.delete(key));
      this.#pipes.set(key, piping);
    }
    await piping;
  }

  close(): void {
    this.#closed = true;
    for (const edge of this.#edges) edge.router.close();
    this.home.router.close();
  }

  #watch(roomRouter: RoomRouter): void {
    roomRouter.router.once('workerclose', () => this.#settings.onWorkerClosed(roomRouter.worker));
  }

  async #openEdge(): Promise<RoomRouter | undefined> {
    // Listeners arriving together wait for the same new router.
    this.#openingEdge ??= (async () => {
      try {
        const used = new Set([this.home.worker, ...this.#edges.map((edge) => edge.worker)]);
        // A worker that fails to give a router (it is dying, say) leaves the listener on a router the room has.
        const edge = await openRouter(this.#settings.placeRouter, used).catch(() => undefined);
        if (!edge) return undefined;
        if (this.closed) {
          edge.router.close();
          return undefined;
        }
        this.#edges.push(edge);
        this.#watch(edge);
        return edge;
      } finally {
        this.#openingEdge = undefined;
      }
    })();
    return this.#openingEdge;
  }
}

async function openRouter(placeRouter: PlaceRouter, avoid: ReadonlySet<types.Worker>): Promise<RoomRouter | undefined> {
  const placement = await placeRouter(avoid);
  if (!placement) return undefined;
  return new RoomRouter(placement, await placement.worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS }));
}
