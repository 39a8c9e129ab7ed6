import type { types } from 'mediasoup';

import { loadMediasoup } from '../../src/worker-binary';

/**
 * The workers, transports and consumers mediasoup creates in this test file, seen
 * through mediasoup's observer API. MediaRoom hides its mediasoup objects on
 * purpose; tests look at them here instead of through a test-only API.
 */
export class MediasoupObjects {
  readonly workers: types.Worker[] = [];
  readonly routers: types.Router[] = [];
  readonly #withWebRtcServer = new WeakSet<types.Worker>();
  readonly #workerOfTransport = new Map<string, types.Worker>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #transportOfConsumer = new Map<string, string>();

  constructor() {
    loadMediasoup().observer.on('newworker', (worker) => {
      this.workers.push(worker);
      worker.observer.on('newwebrtcserver', () => this.#withWebRtcServer.add(worker));
      worker.observer.on('newrouter', (router) => {
        this.routers.push(router);
        router.observer.on('newtransport', (transport) => {
          this.#workerOfTransport.set(transport.id, worker);
          transport.observer.on('newconsumer', (consumer) => {
            this.#consumers.set(consumer.id, consumer);
            this.#transportOfConsumer.set(consumer.id, transport.id);
          });
        });
      });
    });
  }

  hasWebRtcServer(worker: types.Worker): boolean {
    return this.#withWebRtcServer.has(worker);
  }

  consumer(consumerId: string): types.Consumer {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new Error(`no consumer ${consumerId}`);
    return consumer;
  }

  /** Consumers still open of one type ('pipe': those that feed a producer to another worker). */
  openConsumersOfType(type: types.ConsumerType): types.Consumer[] {
    return [...this.#consumers.values()].filter((consumer) => !consumer.closed && consumer.type === type);
  }

  /** The id of the transport a consumer sends on. */
  transportOfConsumer(consumerId: string): string {
    const transportId = this.#transportOfConsumer.get(consumerId);
    if (!transportId) throw new Error(`no consumer ${consumerId}`);
    return transportId;
  }

  /** The worker whose router holds a transport, i.e. the worker a room runs on. */
  workerOfTransport(transportId: string): types.Worker {
    const worker = this.#workerOfTransport.get(transportId);
    if (!worker) throw new Error(`no transport ${transportId}`);
    return worker;
  }
}
