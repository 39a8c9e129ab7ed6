/**
 * Collects items during one turn of the event loop and hands them over
 * together once it ends (setImmediate): one message between threads per
 * turn instead of one per packet, however many calls there are. Under load
 * turns get longer and batches bigger, so the cost per packet falls.
 */
export class TurnBatch<T> {
  readonly #flush: (items: T[]) => void;
  #items: T[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(flush: (items: T[]) => void) {
    this.#flush = flush;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Hands over what was collected now. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#flush(items);
  }

  /** Drops what was collected (the receiver is gone). */
  clear(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#items = [];
  }
}
