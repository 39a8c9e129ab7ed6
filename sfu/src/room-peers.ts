import type { types } from 'mediasoup';

import type { MediaConsumer } from './media-consumer';
import { MediaError, type MediaErrorCode } from './media-error';
import { MediaPeer, type PeerTransport, type ProducerAppData } from './media-peer';

type WebRtcPeerTransport = Extract<PeerTransport, { kind: 'webrtc' }>;

/**
 * The peers of one room, and the look-ups that keep each peer to its own
 * transports, producers and consumers: another peer's id is NOT_ALLOWED, an
 * id nobody has is UNKNOWN_*.
 */
export class RoomPeers {
  readonly #peers = new Map<string, MediaPeer>();

  get(peerId: string): MediaPeer | undefined {
    return this.#peers.get(peerId);
  }

  /** Peers come into being with their first transport or capabilities. */
  getOrCreate(peerId: string): MediaPeer {
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = new MediaPeer(peerId);
      this.#peers.set(peerId, peer);
    }
    return peer;
  }

  require(peerId: string): MediaPeer {
    const peer = this.#peers.get(peerId);
    if (!peer) throw new MediaError('UNKNOWN_PEER', `unknown peer ${peerId}`);
    return peer;
  }

  /** False once the peer left (or all were dropped), even if it came back as a new MediaPeer. */
  isCurrent(peer: MediaPeer): boolean {
    return this.#peers.get(peer.id) === peer;
  }

  remove(peerId: string): MediaPeer | undefined {
    const peer = this.#peers.get(peerId);
    this.#peers.delete(peerId);
    return peer;
  }

  /** What the room sends now: how much a new listener will receive. */
  producerCount(): number {
    let count = 0;
    for (const peer of this.#peers.values()) count += peer.producerCount;
    return count;
  }

  /** Forgets every peer without closing anything (their router is gone already, or closes next). */
  clear(): void {
    this.#peers.clear();
  }

  ownTransport(peer: MediaPeer, transportId: string): PeerTransport {
    const entry = peer.transport(transportId);
    if (entry) return entry;
    throw this.#notOwned(peer, 'UNKNOWN_TRANSPORT', `transport ${transportId}`, (p) => p.transport(transportId) !== undefined);
  }

  ownWebRtcTransport(peerId: string, transportId: string): WebRtcPeerTransport {
    const entry = this.ownTransport(this.require(peerId), transportId);
    if (entry.kind !== 'webrtc') throw new MediaError('NOT_ALLOWED', `transport ${transportId} is not a WebRTC transport`);
    return entry;
  }

  ownProducer(peerId: string, producerId: string): types.Producer<ProducerAppData> {
    const peer = this.require(peerId);
    const producer = peer.producer(producerId);
    if (producer) return producer;
    throw this.#notOwned(peer, 'UNKNOWN_PRODUCER', `producer ${producerId}`, (p) => p.producer(producerId) !== undefined);
  }

  ownConsumer(peerId: string, consumerId: string): MediaConsumer {
    const peer = this.require(peerId);
    const consumer = peer.consumer(consumerId);
    if (consumer) return consumer;
    throw this.#notOwned(peer, 'UNKNOWN_CONSUMER', `consumer ${consumerId}`, (p) => p.consumer(consumerId) !== undefined);
  }

  /** Whoever sends it: for consuming, and for mutes the server decided on. */
  producerOwner(producerId: string): { peer: MediaPeer; producer: types.Producer<ProducerAppData> } {
    for (const peer of this.#peers.values()) {
      const producer = peer.producer(producerId);
      if (producer) return { peer, producer };
    }
    throw new MediaError('UNKNOWN_PRODUCER', `unknown producer ${producerId}`);
  }

  #notOwned(peer: MediaPeer, unknown: MediaErrorCode, what: string, owns: (other: MediaPeer) => boolean): MediaError {
    for (const other of this.#peers.values()) {
      if (other !== peer && owns(other)) return new MediaError('NOT_ALLOWED', `${what} belongs to another peer`);
    }
    return new MediaError(unknown, `unknown ${what}`);
  }
}
