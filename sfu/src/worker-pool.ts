import { EventEmitter } from 'node:events';
import * as os from 'node:os';

import type { types } from 'mediasoup';

import { loadMediasoup } from './worker-binary';

export interface WorkerPoolOptions {
  /** Number of mediasoup workers (processes). Default: one per CPU core. */
  numWorkers?: number;
  logLevel?: types.WorkerLogLevel;
  logTags?: types.WorkerLogTag[];
  /** UDP/TCP port range for transports that do not use a WebRtcServer. */
  rtcMinPort?: number;
  rtcMaxPort?: number;
  /**
   * Prepares each worker (the first ones and every replacement) before it
   * joins the pool, so per-worker state such as a WebRtcServer on a fixed port
   * exists whenever the pool hands the worker out. If it rejects, the worker is
   * closed and its start fails: `create` rejects, a replacement is retried.
   */
  setUpWorker?: (worker: types.Worker, index: number) => Promise<void>;
}

export interface WorkerPoolEvents {
  /** A worker process exited unexpectedly; its routers and transports are gone. */
  workerdied: [{ index: number; pid: number; error: Error }];
  /** A fresh worker took the dead one's slot. Recreate per-worker state (WebRtcServer) here. */
  workerreplaced: [{ index: number; oldPid: number; worker: types.Worker }];
  /** Creating the replacement failed; the pool retries with back-off. */
  replacementfailed: [{ index: number; error: Error; retryInMs: number }];
}

/** How many live media objects a worker carries; see #trackLoad. */
interface Load {
  routers: number;
  streams: number;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * A fixed number of mediasoup workers, one slot each.
 *
 * mediasoup runs each worker as a single-threaded process, so one per core is
 * what uses the machine. A worker that dies (crash, OOM kill) takes its rooms
 * down with it; the pool cannot save those, but it refills the slot so new
 * rooms keep being spread over all cores, and tells the owner via events so it
 * can tear down and recreate the affected rooms.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #mediasoup: ReturnType<typeof loadMediasoup>;
  readonly #settings: types.WorkerSettings;
  readonly #setUpWorker: WorkerPoolOptions['setUpWorker'];
  // A slot is undefined while its replacement is being (re)tried.
  readonly #slots: (types.Worker | undefined)[];
  readonly #load = new WeakMap<types.Worker, Load>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(
    mediasoup: ReturnType<typeof loadMediasoup>,
    settings: types.WorkerSettings,
    size: number,
    setUpWorker: WorkerPoolOptions['setUpWorker'],
  ) {
    super();
    this.#mediasoup = mediasoup;
    this.#settings = settings;
    this.#setUpWorker = setUpWorker;
    this.#slots = new Array<types.Worker | undefined>(size).fill(undefined);
  }

  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const size = options.numWorkers ?? defaultWorkerCount();
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`numWorkers must be a positive integer, got ${size}`);
    }
    const settings: types.WorkerSettings = {
      logLevel: options.logLevel ?? 'warn',
      ...(options.logTags !== undefined && { logTags: options.logTags }),
      ...(options.rtcMinPort !== undefined && { rtcMinPort: options.rtcMinPort }),
      ...(options.rtcMaxPort !== undefined && { rtcMaxPort: options.rtcMaxPort }),
    };
    const pool = new WorkerPool(loadMediasoup(), settings, size, options.setUpWorker);
    try {
      // Started in parallel: each worker is its own process.
      await Promise.all(pool.#slots.map((_, index) => pool.#startWorker(index)));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live workers, in slot order (a slot being refilled is skipped). */
  get workers(): types.Worker[] {
    // A dead worker still holds its slot while mediasoup closes its routers,
    // before 'died' reaches the pool; the closed check keeps it out of reach of
    // a router that wants to move elsewhere in that moment.
    return this.#slots.filter((w): w is types.Worker => w !== undefined && !w.closed);
  }

  /**
   * The worker to put a new router (room) on.
   *
   * Forwarding cost in an SFU grows with producers and consumers, so those are
   * the measure; the router count breaks ties so that empty rooms still spread.
   * Workers in `avoid` are not considered (a room spreading to another worker).
   */
  leastLoadedWorker(avoid: ReadonlySet<types.Worker> = new Set()): types.Worker {
    if (this.#closed) throw new Error('WorkerPool is closed');
    let best: types.Worker | undefined;
    let bestLoad: Load | undefined;
    for (const worker of this.workers) {
      if (avoid.has(worker)) continue;
      const load = this.#load.get(worker) ?? { routers: 0, streams: 0 };
      if (bestLoad === undefined || load.streams < bestLoad.streams || (load.streams === bestLoad.streams && load.routers < bestLoad.routers)) {
        best = worker;
        bestLoad = load;
      }
    }
    if (best === undefined) throw new Error('WorkerPool has no live worker');
    return best;
  }

  /** Closes every worker (and so every router on them). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const worker of this.workers) worker.close();
    this.#slots.fill(undefined);
  }

  async #startWorker(index: number): Promise<types.Worker> {
    const worker = await this.#mediasoup.createWorker(this.#settings);
    try {
      await this.#setUpWorker?.(worker, index);
    } catch (error) {
      worker.close();
      throw error;
    }
    if (this.#closed) {
      // close() ran while this worker was starting: do not leak the process.
      worker.close();
      throw new Error('WorkerPool closed while starting a worker');
    }
    this.#slots[index] = worker;
    this.#trackLoad(worker);
    worker.on('died', (error) => this.#onWorkerDied(index, worker, error));
    return worker;
  }

  #onWorkerDied(index: number, worker: types.Worker, error: Error): void {
    if (this.#slots[index] === worker) this.#slots[index] = undefined;
    this.emit('workerdied', { index, pid: worker.pid, error });
    if (!this.#closed) this.#replace(index, worker.pid, RETRY_MIN_MS);
  }

  #replace(index: number, oldPid: number, nextDelayMs: number): void {
    this.#startWorker(index).then(
      (replacement) => this.emit('workerreplaced', { index, oldPid, worker: replacement }),
      (error: unknown) => {
        if (this.#closed) return;
        // Back off so that a binary that no longer starts does not spin the CPU.
        const retryInMs = Math.min(nextDelayMs, RETRY_MAX_MS);
        this.emit('replacementfailed', { index, error: toError(error), retryInMs });
        const timer = setTimeout(() => {
          this.#retryTimers.delete(timer);
          if (!this.#closed) this.#replace(index, oldPid, retryInMs * 2);
        }, retryInMs);
        this.#retryTimers.add(timer);
      },
    );
  }

  /**
   * Counts routers and media streams through mediasoup's observer API, which
   * reports every object the application creates without the application having
   * to tell the pool.
   */
  #trackLoad(worker: types.Worker): void {
    const load: Load = { routers: 0, streams: 0 };
    this.#load.set(worker, load);
    const countStream = (observer: { once(event: 'close', listener: () => void): unknown }): void => {
      load.streams++;
      observer.once('close', () => load.streams--);
    };
    worker.observer.on('newrouter', (router) => {
      load.routers++;
      router.observer.once('close', () => load.routers--);
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newproducer', (producer) => countStream(producer.observer));
        transport.observer.on('newconsumer', (consumer) => countStream(consumer.observer));
      });
    });
  }
}

function defaultWorkerCount(): number {
  // availableParallelism() honours CPU affinity/cgroup limits; cpus() is the fallback.
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
