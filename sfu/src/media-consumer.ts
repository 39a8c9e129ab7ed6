import type { types } from 'mediasoup';

import { spatialLayerCount, spatialLayerForTile } from './simulcast-layers';

/**
 * A consumer as its viewer uses it. mediasoup creates it paused; it runs once
 * the browser has set up its side (`markReady`) and for as long as its tile is
 * visible. Video is sent at the simulcast layer that fits the tile.
 */
export class MediaConsumer {
  readonly #consumer: types.Consumer;
  #ready = false;
  #hidden = false;
  // What was last asked of the worker. Tracked here rather than read from
  // consumer.paused, which mediasoup updates only once a request completes, so
  // that overlapping calls (hide, then show) still end in the last wish:
  // the worker handles requests in order.
  #running = false;

  constructor(consumer: types.Consumer) {
    this.#consumer = consumer;
  }

  get id(): string {
    return this.#consumer.id;
  }

  get producerId(): string {
    return this.#consumer.producerId;
  }

  get kind(): types.MediaKind {
    return this.#consumer.kind;
  }

  async markReady(): Promise<void> {
    this.#ready = true;
    await this.#apply();
  }

  /** 0x0 means the tile is hidden. Audio has no tile, so it ignores this. */
  async setTileSize(width: number, height: number): Promise<void> {
    if (this.#consumer.kind !== 'video') return;
    this.#hidden = width === 0 || height === 0;
    if (!this.#hidden && (this.#consumer.type === 'simulcast' || this.#consumer.type === 'svc')) {
      const layers = spatialLayerCount(this.#consumer.rtpParameters.encodings?.[0]?.scalabilityMode);
      await this.#consumer.setPreferredLayers({ spatialLayer: spatialLayerForTile(width, height, layers) });
    }
    await this.#apply();
  }

  /** Runs once the consumer is closed, whatever closed it. */
  onClose(listener: () => void): void {
    this.#consumer.observer.once('close', listener);
  }

  async #apply(): Promise<void> {
    const run = this.#ready && !this.#hidden;
    if (run === this.#running) return;
    this.#running = run;
    await (run ? this.#consumer.resume() : this.#consumer.pause());
  }
}
