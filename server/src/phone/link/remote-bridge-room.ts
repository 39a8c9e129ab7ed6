import { lookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import type { ConsumerInfo, PhoneBridgeRoom, PlainTransportInfo } from '@konferenz/sfu';
import type { LinkedRoom, RoomArguments, RoomEvent, RoomMethod, RoomMethodResults } from './phone-link-protocol';

type Events = { consumerClosed: [{ peerId: string; consumerId: string }]; reset: []; close: [] };
type Call = <M extends RoomMethod>(generation: number, method: M, args: RoomArguments<M>) => Promise<RoomMethodResults[M]>;

/**
 * The owner node's media room, as the phone bridge and room mix on the answering node see it:
 * every operation is a `room:call` over the phone link, every room event comes back over it. The
 * media themselves do not: the plain transports it creates are on the owner node, and the bridge
 * sends to and receives from their addresses directly.
 */
export class RemoteBridgeRoom extends EventEmitter<Events> implements PhoneBridgeRoom {
  readonly rtpCapabilities: PhoneBridgeRoom['rtpCapabilities'];
  readonly generation: number;
  readonly #call: Call;
  #gone = false;

  constructor(linked: LinkedRoom, call: Call) {
    super();
    this.generation = linked.generation;
    this.rtpCapabilities = linked.rtpCapabilities;
    this.#call = call;
  }

  setRtpCapabilities(peerId: string, rtpCapabilities: PhoneBridgeRoom['rtpCapabilities']): void {
    // The mix creates its transport right after: a failure shows there.
    this.#call(this.generation, 'setRtpCapabilities', [peerId, rtpCapabilities]).catch(() => undefined);
  }

  /** The owner node may name its transports by host name (NODE_MEDIA_HOST): the bridge needs the address, to tell its packets from others'. */
  async createPlainTransport(peerId: string, options: { comedia: true }): Promise<PlainTransportInfo> {
    const transport = await this.#call(this.generation, 'createPlainTransport', [peerId, options]);
    return { ...transport, ip: (await lookup(transport.ip)).address };
  }

  produce(...args: RoomArguments<'produce'>): Promise<string> {
    return this.#call(this.generation, 'produce', args);
  }

  setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    return this.#call(this.generation, 'setProducerPaused', [producerId, paused]);
  }

  consume(peerId: string, producerId: string): Promise<ConsumerInfo | null> {
    return this.#call(this.generation, 'consume', [peerId, producerId]);
  }

  resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    return this.#call(this.generation, 'resumeConsumer', [peerId, consumerId]);
  }

  /** The owner's room was reset or closed, or the link is gone: nothing more happens in this one. */
  get gone(): boolean {
    return this.#gone;
  }

  closePeer(peerId: string): void {
    if (!this.#gone) this.#call(this.generation, 'closePeer', [peerId]).catch(() => undefined);
  }

  /** An event of the owner's room (or, `close`, the link is gone: so is the room, as far as this node can tell). */
  receive(event: RoomEvent): void {
    if (this.#gone) return;
    if (event.type === 'consumerClosed') return void this.emit('consumerClosed', { peerId: event.peerId, consumerId: event.consumerId });
    this.#gone = true;
    this.emit(event.type);
  }
}
