import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';

import type { types } from 'mediasoup';

import type { ConsumerInfo } from '../media-room';
import type { MixBridgeSpec, PhoneMixStats, RoomAudioMixCounters } from './mix-protocol';
import type { PhoneBridgeRoom } from './phone-bridge-room';
import { MixBridgeLink, type MixHost, type PhoneMixThreads } from './phone-mix-threads';
import type { ConferenceStream, RoomMixEngineOptions } from './room-mix-engine';
import { AUDIO_LEVEL_EXTENSION_URI } from './rtp-packet';
import { listenIpFor } from './udp';

export interface RoomAudioMixOptions extends RoomMixEngineOptions {
  /** Where the room's mix runs (a phone mix thread, or the main thread). */
  threads: PhoneMixThreads;
  /**
   * The IP to reach the room's plain transports at, when that is not the
   * one they announce (a public announced IP the server should not hairpin
   * through). Default: the announced IP.
   */
  mediaIp?: string;
  /** The local address the mix's sockets toward the room bind to. Default: loopback for a loopback room, else any. */
  mediaListenIp?: string;
}

export interface RoomAudioMixEvents {
  /** The thread the mix ran on died: the mix is gone, its bridges must be rebuilt. */
  failed: [];
}

/** A room's mix (opening or open) and how many bridges use it. */
class Sharing {
  users = 0;
  readonly mix: Promise<RoomAudioMix>;

  constructor(open: (sharing: Sharing) => Promise<RoomAudioMix>) {
    this.mix = open(this);
  }
}

// One mix per room; a room whose media were reset gets a new one.
const sharings = new WeakMap<PhoneBridgeRoom, Sharing>();
let nextId = 1;

/**
 * The phone audio of one media room, shared by all its phone bridges: every
 * audio producer any bridge is to hear is consumed once, on one plain
 * transport of the mix's own peer in the room, and mixed once per 20 ms
 * frame on one clock; each bridge's caller gets its version of that mix. The
 * bridges' paths into the room run on the same clock.
 *
 * This is the room-facing half, on the thread that owns the room: the mix's
 * peer, consumers and bridges. The 20 ms work (sockets toward the room,
 * jitter buffers, codecs, the clock) runs where PhoneMixThreads placed the
 * mix: a phone mix thread (PhoneMixRunner), so it never holds up signalling.
 *
 * The first bridge of a room opens it (`acquire`), the last one closes it
 * (`release`). When the room's media are reset (worker death) or the room
 * closes, its consumers are gone: the mix steps aside so the bridges the
 * server builds anew get a new mix, and plays silence to the old ones until
 * they are closed. When its thread dies, it steps aside too and emits
 * `failed`.
 *
 * Like the bridges, the plain transport is in comedia mode: the mix sends
 * mediasoup an RTCP receiver report at once (and every 5 s) so mediasoup
 * learns where to send. Nothing from the network throws out of it.
 */
export class RoomAudioMix extends EventEmitter<RoomAudioMixEvents> {
  /** The mix's peer in the room (it consumes, it never produces). */
  readonly peerId: string;
  readonly #room: PhoneBridgeRoom;
  readonly #sharing: Sharing;
  readonly #host: MixHost;
  readonly #mixId: number;
  readonly #listenIp: string;
  // Producers being consumed or consumed, and the consumers by id (for 'consumerClosed').
  readonly #heard = new Map<string, Promise<boolean>>();
  readonly #consumers = new Map<string, string>();
  readonly #onConsumerClosed = ({ peerId, consumerId }: { peerId: string; consumerId: string }): void => this.#consumerClosed(peerId, consumerId);
  readonly #onGone = (): void => this.#stepAside();
  readonly #onHostExit = (): void => {
    this.#stepAside();
    this.emit('failed');
  };
  #listeners = 0;
  #steppedAside = false;
  #closed = false;

  private constructor(init: { room: PhoneBridgeRoom; peerId: string; sharing: Sharing; host: MixHost; mixId: number; listenIp: string }) {
    super();
    // One 'failed' listener per caller of the room.
    this.setMaxListeners(0);
    this.#room = init.room;
    this.peerId = init.peerId;
    this.#sharing = init.sharing;
    this.#host = init.host;
    this.#mixId = init.mixId;
    this.#listenIp = init.listenIp;
    this.#room.on('consumerClosed', this.#onConsumerClosed);
    this.#room.on('reset', this.#onGone);
    this.#room.on('close', this.#onGone);
    this.#host.once('exit', this.#onHostExit);
  }

  /**
   * The room's mix, opened by the first caller; every `acquire` needs its
   * `release`. `options` count only for the call that opens it.
   */
  static acquire(room: PhoneBridgeRoom, options: RoomAudioMixOptions): Promise<RoomAudioMix> {
    let sharing = sharings.get(room);
    if (!sharing) {
      const opening = new Sharing((self) => RoomAudioMix.#open(room, options, self));
      opening.mix.catch(() => {
        if (sharings.get(room) === opening) sharings.delete(room);
      });
      sharings.set(room, opening);
      sharing = opening;
    }
    // Counted at once, so a release in the meantime cannot close the mix under a caller still on its way.
    sharing.users++;
    return sharing.mix;
  }

  static async #open(room: PhoneBridgeRoom, options: RoomAudioMixOptions, sharing: Sharing): Promise<RoomAudioMix> {
    const peerId = `phone-mix-${randomBytes(6).toString('hex')}`;
    const mixId = nextId++;
    let host: MixHost | undefined;
    try {
      room.setRtpCapabilities(peerId, phoneRtpCapabilities(room.rtpCapabilities));
      const transport = await room.createPlainTransport(peerId, { comedia: true });
      const target = { ip: options.mediaIp ?? transport.ip, port: transport.port };
      const listenIp = options.mediaListenIp ?? listenIpFor(target.ip);
      host = options.threads.place();
      host.mixes++;
      await host.request({ type: 'openMix', spec: { mixId, target, listenIp, maxSpeakers: options.maxSpeakers, jitter: options.jitter } });
      return new RoomAudioMix({ room, peerId, sharing, host, mixId, listenIp });
    } catch (error) {
      if (host) {
        host.mixes--;
        host.notify({ type: 'closeMix', mixId });
      }
      try {
        room.closePeer(peerId);
      } catch {
        // The room may be closed already; the original error is what matters.
      }
      throw error;
    }
  }

  /** How many callers hear the mix. */
  get callerCount(): number {
    return this.#listeners;
  }

  /**
   * Consumes a producer of the room into the mix, once however many bridges
   * ask. True when the mix has it (now or already); false when the room will
   * not have it consumed (gone, not audio) or the mix stepped aside.
   */
  hear(producerId: string): Promise<boolean> {
    if (this.#closed || this.#steppedAside) return Promise.resolve(false);
    let heard = this.#heard.get(producerId);
    if (!heard) {
      heard = this.#consume(producerId);
      this.#heard.set(producerId, heard);
      heard.then(
        (ok) => !ok && this.#heard.get(producerId) === heard && this.#heard.delete(producerId),
        () => this.#heard.get(producerId) === heard && this.#heard.delete(producerId),
      );
    }
    return heard;
  }

  /**
   * A caller joins the mix: its voice goes into the room through a socket of
   * the mix's thread toward `mediaTarget`, and `toCaller` gets every frame of
   * the mix made for it (20 ms apart, encoded in its codec), with the frames
   * the clock skipped before it.
   */
  async openBridge(
    spec: Omit<MixBridgeSpec, 'bridgeId' | 'mixId' | 'listenIp'>,
    toCaller: (payload: Buffer, skippedFrames: number) => void,
  ): Promise<MixBridgeLink> {
    if (this.#closed) throw new Error('the phone mix is closed');
    const bridgeId = nextId++;
    this.#host.addSink(bridgeId, toCaller);
    try {
      await this.#host.request({ type: 'openBridge', spec: { ...spec, bridgeId, mixId: this.#mixId, listenIp: this.#listenIp } });
    } catch (error) {
      // Timed out, the thread may still open it: it closes it when it finds this notice first.
      this.#host.removeSink(bridgeId);
      this.#host.notify({ type: 'closeBridge', bridgeId });
      throw error;
    }
    this.#listeners++;
    return new MixBridgeLink(this.#host, bridgeId, spec.callerAudioLevelExtensionId);
  }

  /** A bridge left the mix (its link closed). */
  bridgeClosed(link: MixBridgeLink): void {
    link.close();
    this.#listeners--;
  }

  /** Frame timings and sizes since the previous call (which starts the next window), from the mix's thread. */
  takeStats(): Promise<PhoneMixStats> {
    return this.#host.request({ type: 'takeStats', mixId: this.#mixId });
  }

  counters(): Promise<RoomAudioMixCounters> {
    return this.#host.request({ type: 'counters', mixId: this.#mixId });
  }

  /** A bridge is done with the mix; the last one closes it. */
  release(): void {
    if (this.#closed || --this.#sharing.users > 0) return;
    this.#closed = true;
    this.#stepAside();
    this.#host.mixes--;
    this.#host.notify({ type: 'closeMix', mixId: this.#mixId });
    this.#host.off('exit', this.#onHostExit);
    this.#room.off('consumerClosed', this.#onConsumerClosed);
    this.#room.off('reset', this.#onGone);
    this.#room.off('close', this.#onGone);
    try {
      this.#room.closePeer(this.peerId);
    } catch {
      // A closed room has no peers left to close.
    }
  }

  async #consume(producerId: string): Promise<boolean> {
    const consumer = await this.#room.consume(this.peerId, producerId);
    if (!consumer) return false;
    const stream = conferenceStreamOf(producerId, consumer);
    if (!stream || this.#closed || this.#steppedAside) return false;
    this.#consumers.set(consumer.consumerId, producerId);
    this.#host.notify({ type: 'addStream', mixId: this.#mixId, stream });
    // Consumers start paused: resume once the mix is ready for their packets (messages to the thread keep their order).
    await this.#room.resumeConsumer(this.peerId, consumer.consumerId);
    return true;
  }

  #consumerClosed(peerId: string, consumerId: string): void {
    if (peerId !== this.peerId) return;
    const producerId = this.#consumers.get(consumerId);
    if (producerId === undefined) return;
    this.#consumers.delete(consumerId);
    this.#heard.delete(producerId);
    this.#host.notify({ type: 'removeStream', mixId: this.#mixId, streamId: producerId });
  }

  /** The room's consumers of this mix are gone with its media: new bridges get a new mix. */
  #stepAside(): void {
    if (this.#steppedAside) return;
    this.#steppedAside = true;
    if (sharings.get(this.#room) === this.#sharing) sharings.delete(this.#room);
    this.#heard.clear();
    this.#consumers.clear();
    this.#host.notify({ type: 'clearStreams', mixId: this.#mixId });
  }
}

/** What the mix asks the room for: Opus with the audio level extension, nothing else. */
export function phoneRtpCapabilities(roomCapabilities: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (roomCapabilities.codecs ?? []).filter((codec) => codec.mimeType.toLowerCase() === 'audio/opus'),
    headerExtensions: (roomCapabilities.headerExtensions ?? []).filter(
      (extension) => extension.kind === 'audio' && extension.uri === AUDIO_LEVEL_EXTENSION_URI,
    ),
  };
}

function conferenceStreamOf(producerId: string, consumer: ConsumerInfo): ConferenceStream | undefined {
  const { rtpParameters } = consumer;
  const codec = rtpParameters.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
  const ssrc = rtpParameters.encodings?.[0]?.ssrc;
  if (consumer.kind !== 'audio' || !codec || ssrc === undefined) return undefined;
  const level = rtpParameters.headerExtensions?.find((extension) => extension.uri === AUDIO_LEVEL_EXTENSION_URI);
  return { id: producerId, ssrc, payloadType: codec.payloadType, audioLevelExtensionId: level?.id };
}
