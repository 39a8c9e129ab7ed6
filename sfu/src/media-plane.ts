import { EventEmitter, once } from 'node:events';

import type { types } from 'mediasoup';

import { MediaError, mediaCall } from './media-error';
import { MediaRoom } from './media-room';
import { ROUTER_MEDIA_CODECS } from './router-codecs';
import type { WorkerPlacement } from './room-routers';
import { WorkerPool } from './worker-pool';

export interface MediaPlaneOptions {
  /** Number of mediasoup workers (processes). Default: one per CPU core. */
  numWorkers?: number;
  /** Address the WebRtcServers and plain transports listen on, e.g. '127.0.0.1' or '0.0.0.0'. */
  listenIp: string;
  /** Public IP or host name announced in ICE candidates; required when listenIp is a wildcard. */
  announcedIp?: string;
  /** The WebRtcServer of worker i listens on rtcPort + i, UDP and TCP. */
  rtcPort: number;
  logLevel?: types.WorkerLogLevel;
  /** Bits per second the SFU assumes it may send to a browser before bandwidth estimation has a figure. */
  initialAvailableOutgoingBitrate?: number;
  /**
   * Consumers one router of a room carries before the room's new listeners
   * receive on another worker, the producers piped there. Default: no limit.
   */
  maxRouterLoad?: number;
}

export interface MediaPlaneEvents {
  /**
   * The room's worker died and the room was rebuilt on another worker, without
   * peers: every browser in it has to set up its media again (media:reset).
   */
  roomReset: [roomId: string];
  /** A worker process died (the pool starts a replacement); for the server's log. */
  workerDied: [{ pid: number; error: Error }];
}

/**
 * The media side of every conference: a pool of mediasoup workers, each with
 * one WebRtcServer (so browsers need one UDP/TCP port per worker, not one per
 * transport), and a MediaRoom per conference on the least loaded worker.
 */
export class MediaPlane extends EventEmitter<MediaPlaneEvents> {
  readonly #pool: WorkerPool;
  readonly #webRtcServers: WeakMap<types.Worker, types.WebRtcServer>;
  readonly #options: MediaPlaneOptions;
  readonly #rtpCapabilities: types.RtpCapabilities;
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #opening = new Map<string, Promise<MediaRoom>>();
  // Aborted by close(): ends any wait for a worker to come back.
  readonly #closing = new AbortController();

  private constructor(
    pool: WorkerPool,
    webRtcServers: WeakMap<types.Worker, types.WebRtcServer>,
    options: MediaPlaneOptions,
    rtpCapabilities: types.RtpCapabilities,
  ) {
    super();
    this.#pool = pool;
    this.#rtpCapabilities = rtpCapabilities;
    this.#webRtcServers = webRtcServers;
    this.#options = options;
    pool.on('workerdied', ({ pid, error }) => this.emit('workerDied', { pid, error }));
  }

  static async create(options: MediaPlaneOptions): Promise<MediaPlane> {
    const { listenIp, announcedIp, rtcPort } = options;
    if (!Number.isInteger(rtcPort) || rtcPort < 1 || rtcPort > 65535) {
      throw new RangeError(`rtcPort must be a port number, got ${rtcPort}`);
    }
    if ((listenIp === '0.0.0.0' || listenIp === '::') && !announcedIp) {
      throw new RangeError(`listenIp ${listenIp} listens everywhere: set announcedIp to the address browsers reach`);
    }
    const webRtcServers = new WeakMap<types.Worker, types.WebRtcServer>();
    const pool = await WorkerPool.create({
      numWorkers: options.numWorkers,
      logLevel: options.logLevel ?? 'warn',
      // Also runs for a replacement worker, which so gets the dead one's port.
      setUpWorker: async (worker, index) => {
        const port = rtcPort + index;
        const listen = { ip: listenIp, announcedAddress: announcedIp, port };
        const webRtcServer = await worker.createWebRtcServer({
          listenInfos: [
            { protocol: 'udp', ...listen },
            { protocol: 'tcp', ...listen },
          ],
        });
        webRtcServers.set(worker, webRtcServer);
      },
    });
    let rtpCapabilities: types.RtpCapabilities;
    try {
      rtpCapabilities = await routerRtpCapabilities(pool.leastLoadedWorker());
    } catch (error) {
      pool.close();
      throw error;
    }
    return new MediaPlane(pool, webRtcServers, options, rtpCapabilities);
  }

  /**
   * What every room's router offers (the same codecs everywhere), known before any room opens: a
   * browser can load its mediasoup device while its devices are checked.
   */
  get rtpCapabilities(): types.RtpCapabilities {
    return this.#rtpCapabilities;
  }

  /** The conference's media room, created on the least loaded worker on first use. */
  async room(roomId: string): Promise<MediaRoom> {
    const open = this.#rooms.get(roomId);
    if (open) return open;
    let opening = this.#opening.get(roomId);
    if (!opening) {
      opening = this.#openRoom(roomId).finally(() => this.#opening.delete(roomId));
      this.#opening.set(roomId, opening);
    }
    return opening;
  }

  /** Workers alive now, out of how many the pool keeps (a dead one is being replaced). */
  get workers(): { alive: number; size: number } {
    return { alive: this.#pool.workers.length, size: this.#pool.size };
  }

  findRoom(roomId: string): MediaRoom | undefined {
    return this.#rooms.get(roomId);
  }

  /** Closes every room and stops the workers. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    // Rooms still opening see the plane closed and close themselves.
    await Promise.allSettled(this.#opening.values());
    for (const room of this.#rooms.values()) room.close();
    this.#pool.close();
  }

  async #openRoom(roomId: string): Promise<MediaRoom> {
    const closedError = (): MediaError => new MediaError('MEDIA_FAILED', 'the media plane is closed');
    if (this.#closing.signal.aborted) throw closedError();
    const room = await mediaCall(() =>
      MediaRoom.create(roomId, {
        placeRouter: (avoid) => this.#placeRouter(avoid),
        maxRouterLoad: this.#options.maxRouterLoad,
        plainListenInfo: { protocol: 'udp', ip: this.#options.listenIp, announcedAddress: this.#options.announcedIp },
        initialAvailableOutgoingBitrate: this.#options.initialAvailableOutgoingBitrate,
      }),
    );
    if (this.#closing.signal.aborted) {
      room.close();
      throw closedError();
    }
    this.#rooms.set(roomId, room);
    room.on('reset', () => this.emit('roomReset', roomId));
    room.once('close', () => this.#rooms.delete(roomId));
    return room;
  }

  async #placeRouter(avoid: ReadonlySet<types.Worker>): Promise<WorkerPlacement | undefined> {
    if (avoid.size > 0) {
      // A room spreading: another worker now or none, nothing to wait for.
      if (this.#closing.signal.aborted || this.#pool.workers.every((worker) => avoid.has(worker))) return undefined;
    } else {
      // Between a crash and its replacement a one-worker pool has no worker.
      while (this.#pool.workers.length === 0) {
        await once(this.#pool, 'workerreplaced', { signal: this.#closing.signal });
      }
    }
    const worker = this.#pool.leastLoadedWorker(avoid);
    const webRtcServer = this.#webRtcServers.get(worker);
    // setUpWorker runs before a worker joins the pool, so this cannot happen.
    if (!webRtcServer) throw new Error(`worker ${worker.pid} has no WebRtcServer`);
    return { worker, webRtcServer };
  }
}

/** mediasoup derives a router's capabilities from its codecs; a router made and closed at once tells them. */
async function routerRtpCapabilities(worker: types.Worker): Promise<types.RtpCapabilities> {
  const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
  const { rtpCapabilities } = router;
  router.close();
  return rtpCapabilities;
}
