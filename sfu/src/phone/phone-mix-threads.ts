import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

import type { CallerPacket, FromMixThread, MixBridgeStats, MixNotice, MixReplies, MixRequest, ToMixThread } from './mix-protocol';
import { PhoneMixRunner } from './phone-mix-runner';
import type { RtpPacket } from './rtp-packet';
import { TurnBatch } from './turn-batch';

export interface PhoneMixThreadsOptions {
  /** Threads the rooms' mixes are spread over; 0 mixes on the calling (main) thread. */
  threads: number;
  /** How long a request to a mix thread may take before it counts as failed. Default 5000 ms. */
  requestTimeoutMs?: number;
}

export interface MixHostEvents {
  /** The thread is gone (it crashed or was stopped): every mix on it is lost. */
  exit: [error: Error];
}

/** Compiled, also when the sfu's tests run its sources: a thread runs JavaScript. */
const THREAD_ENTRY = join(__dirname, '..', '..', 'dist', 'phone', 'mix-thread.js');

/**
 * One place room mixes run: a worker thread, or the calling thread itself.
 * It carries requests and notices there, batches the callers' packets per
 * event-loop turn, and hands each frame the mix made for a caller to that
 * caller's bridge (its sink).
 */
export class MixHost extends EventEmitter<MixHostEvents> {
  readonly #post: (message: ToMixThread) => void;
  readonly #stop: () => Promise<void>;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  readonly #sinks = new Map<number, (payload: Buffer, skippedFrames: number) => void>();
  readonly #callerPackets: TurnBatch<CallerPacket>;
  #nextCall = 1;
  #gone: Error | undefined;
  /** Mixes placed here and not closed: how PhoneMixThreads chooses. */
  mixes = 0;

  private constructor(
    connect: (receive: (message: FromMixThread) => void) => { post: (message: ToMixThread) => void; stop: () => Promise<void> },
    timeoutMs: number,
  ) {
    super();
    // One 'exit' listener per room mix placed here.
    this.setMaxListeners(0);
    const { post, stop } = connect((message) => this.#receive(message));
    this.#post = post;
    this.#stop = stop;
    this.#timeoutMs = timeoutMs;
    this.#callerPackets = new TurnBatch((packets) => this.notify({ type: 'callerPackets', packets }));
  }

  static inline(timeoutMs: number): MixHost {
    return new MixHost((receive) => {
      const runner = new PhoneMixRunner(receive);
      return {
        post: (message) => runner.handle(message),
        stop: async () => runner.close(),
      };
    }, timeoutMs);
  }

  static thread(timeoutMs: number): MixHost {
    if (!existsSync(THREAD_ENTRY)) throw new Error(`${THREAD_ENTRY} is missing: build the sfu (npm run build -w sfu)`);
    const worker = new Worker(THREAD_ENTRY);
    const host = new MixHost(
      () => ({
        post: (message) => worker.postMessage(message),
        stop: async () => {
          await worker.terminate();
        },
      }),
      timeoutMs,
    );
    worker.on('message', (message: FromMixThread) => host.#receive(message));
    worker.on('error', (error) => host.#lose(new Error(`the phone mix thread failed: ${error.message}`)));
    worker.on('exit', (code) => host.#lose(new Error(`the phone mix thread exited (code ${code})`)));
    // The thread must not keep a process alive that is done otherwise (a test, a stopped server);
    // after the listeners, since adding a 'message' listener refs the worker again.
    worker.unref();
    return host;
  }

  get alive(): boolean {
    return this.#gone === undefined;
  }

  request<K extends MixRequest['type']>(request: Extract<MixRequest, { type: K }>): Promise<MixReplies[K]> {
    if (this.#gone) return Promise.reject(this.#gone);
    const call = this.#nextCall++;
    return new Promise<MixReplies[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(call);
        reject(new Error(`the phone mix thread did not answer ${request.type} within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(call, { resolve: resolve as (result: unknown) => void, reject, timer });
      this.#post({ ...request, call });
    });
  }

  notify(notice: MixNotice): void {
    if (!this.#gone) this.#post(notice);
  }

  /** A caller's audio packet for its bridge on this host (sent with the others of this turn). */
  forward(bridgeId: number, packet: RtpPacket, audioLevelExtensionId: number | undefined, arrivalMs: number): void {
    if (this.#gone) return;
    const level = audioLevelExtensionId === undefined ? undefined : packet.extensions.get(audioLevelExtensionId);
    this.#callerPackets.push({
      bridgeId,
      payloadType: packet.payloadType,
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      ssrc: packet.ssrc,
      marker: packet.marker,
      // Copies: the packet is a view into the datagram, whose whole buffer would travel along.
      audioLevel: level ? new Uint8Array(level) : undefined,
      payload: new Uint8Array(packet.payload),
      arrivalEpochMs: performance.timeOrigin + arrivalMs,
    });
  }

  addSink(bridgeId: number, sink: (payload: Buffer, skippedFrames: number) => void): void {
    this.#sinks.set(bridgeId, sink);
  }

  removeSink(bridgeId: number): void {
    this.#sinks.delete(bridgeId);
  }

  stop(): Promise<void> {
    this.#lose(new Error('the phone mix threads stopped'));
    return this.#stop();
  }

  #receive(message: FromMixThread): void {
    if (message.type === 'toCallers') {
      for (const [bridgeId, payload, skipped] of message.packets) {
        try {
          this.#sinks.get(bridgeId)?.(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), skipped);
        } catch {
          // One caller's socket cannot keep the others from their audio.
        }
      }
      return;
    }
    const pending = this.#pending.get(message.call);
    if (!pending) return;
    this.#pending.delete(message.call);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message.result);
  }

  #lose(error: Error): void {
    if (this.#gone) return;
    this.#gone = error;
    this.#callerPackets.clear();
    for (const { reject, timer } of this.#pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.#pending.clear();
    this.#sinks.clear();
    this.emit('exit', error);
  }
}

/**
 * Where the server's room mixes run: PHONE_MIX_THREADS worker threads (each
 * room's mix on one of them, the one with the fewest mixes), so the codec
 * work of hundreds of callers never holds up signalling on the main thread;
 * or, with 0, the main thread itself. A thread that dies takes its mixes with
 * it (their bridges report `failed` and are rebuilt); the next mix starts a
 * new thread in its place.
 */
export class PhoneMixThreads {
  readonly #threads: number;
  readonly #timeoutMs: number;
  readonly #hosts: MixHost[] = [];
  #stopped = false;

  constructor(options: PhoneMixThreadsOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 0) throw new RangeError(`phone mix threads must be a whole number ≥ 0, not ${options.threads}`);
    this.#threads = options.threads;
    this.#timeoutMs = options.requestTimeoutMs ?? 5000;
  }

  /** Where the next room's mix goes; threads start when first needed. */
  place(): MixHost {
    if (this.#stopped) throw new Error('the phone mix threads stopped');
    const slots = Math.max(1, this.#threads);
    for (let index = this.#hosts.length - 1; index >= 0; index--) if (!this.#hosts[index]!.alive) this.#hosts.splice(index, 1);
    if (this.#hosts.length < slots) {
      const host = this.#threads === 0 ? MixHost.inline(this.#timeoutMs) : MixHost.thread(this.#timeoutMs);
      this.#hosts.push(host);
      return host;
    }
    return this.#hosts.reduce((least, host) => (host.mixes < least.mixes ? host : least));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#hosts.splice(0).map((host) => host.stop()));
  }
}

/** A bridge's handle on its caller's state in the mix (wherever the mix runs). */
export class MixBridgeLink {
  readonly #host: MixHost;
  readonly #bridgeId: number;
  readonly #audioLevelExtensionId: number | undefined;
  #closed = false;

  constructor(host: MixHost, bridgeId: number, audioLevelExtensionId: number | undefined) {
    this.#host = host;
    this.#bridgeId = bridgeId;
    this.#audioLevelExtensionId = audioLevelExtensionId;
  }

  forward(packet: RtpPacket, arrivalMs: number): void {
    if (!this.#closed) this.#host.forward(this.#bridgeId, packet, this.#audioLevelExtensionId, arrivalMs);
  }

  hearing(): void {
    if (!this.#closed) this.#host.notify({ type: 'bridgeHearing', bridgeId: this.#bridgeId });
  }

  muted(muted: boolean): void {
    if (!this.#closed) this.#host.notify({ type: 'bridgeMuted', bridgeId: this.#bridgeId, muted });
  }

  stats(): Promise<MixBridgeStats> {
    return this.#host.request({ type: 'bridgeStats', bridgeId: this.#bridgeId });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.removeSink(this.#bridgeId);
    this.#host.notify({ type: 'closeBridge', bridgeId: this.#bridgeId });
  }
}
