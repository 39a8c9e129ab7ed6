/** A received video and whether an element draws it now. */
export interface VideoPlacement {
  consumerId: string;
  drawn: boolean;
}

/**
 * Received videos that no element draws (a name tile under last-N, a tile on another page of the
 * grid): each is reported as 0 × 0 once each time it stops being drawn, and the server stops
 * forwarding it. A video element reports its own size while it is there (observeRenderedSize).
 */
export class UndrawnVideos {
  readonly #undrawn = new Set<string>();

  /** The consumers that just stopped being drawn (or never were), to report as 0 × 0. */
  update(videos: readonly VideoPlacement[]): string[] {
    const newly: string[] = [];
    const present = new Set<string>();
    for (const { consumerId, drawn } of videos) {
      present.add(consumerId);
      if (drawn) this.#undrawn.delete(consumerId);
      else if (!this.#undrawn.has(consumerId)) {
        this.#undrawn.add(consumerId);
        newly.push(consumerId);
      }
    }
    for (const consumerId of this.#undrawn) if (!present.has(consumerId)) this.#undrawn.delete(consumerId);
    return newly;
  }
}
