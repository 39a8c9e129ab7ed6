import { randomBytes } from 'node:crypto';
import type * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

import type { types } from 'mediasoup';

import type { ConsumerInfo } from '../media-room';
import { FrameClock, type FrameTick } from './frame-clock';
import type { PhoneBridgeRoom } from './phone-bridge-room';
import { RoomMixEngine, type ConferenceStream, type MixListener, type RoomMixCounters, type RoomMixEngineOptions, type RoomMixStats } from './room-mix-engine';
import { AUDIO_LEVEL_EXTENSION_URI, RtpParseError, emptyReceiverReport, isRtcpPacket, parseRtpPacket } from './rtp-packet';
import { bindUdp, listenIpFor, sameAddress, type RtpAddress } from './udp';

export interface RoomAudioMixOptions extends RoomMixEngineOptions {
  /**
   * The IP to reach the room's plain transports at, when that is not the
   * one they announce (a public announced IP the server should not hairpin
   * through). Default: the announced IP.
   */
  mediaIp?: string;
  /** The local address the mix's socket toward the room binds to. Default: loopback for a loopback room, else any. */
  mediaListenIp?: string;
}

export interface RoomAudioMixCounters extends RoomMixCounters {
  /** Datagrams from the room dropped before the mix, by cause. */
  dropped: { malformed: number; rtcp: number; foreignSource: number };
  /** Frames that threw (a bug); the clock carries on. */
  frameErrors: number;
}

const RTCP_INTERVAL_MS = 5000;

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

/**
 * The phone audio of one media room, shared by all its phone bridges: every
 * audio producer any bridge is to hear is consumed once, on one plain
 * transport of the mix's own peer in the room, and mixed once per 20 ms
 * frame on one clock (RoomMixEngine); each bridge's caller gets its version
 * of that mix. The bridges' paths into the room run on the same clock.
 *
 * The first bridge of a room opens it (`acquire`), the last one closes it
 * (`release`). When the room's media are reset (worker death) or the room
 * closes, its consumers are gone: the mix steps aside so the bridges the
 * server builds anew get a new mix, and plays silence to the old ones until
 * they are closed.
 *
 * Like the bridges, the plain transport is in comedia mode: the mix sends
 * mediasoup an RTCP receiver report at once (and every 5 s) so mediasoup
 * learns where to send. Nothing from the network throws out of it.
 */
export class RoomAudioMix {
  /** The mix's peer in the room (it consumes, it never produces). */
  readonly peerId: string;
  readonly #room: PhoneBridgeRoom;
  readonly #sharing: Sharing;
  readonly #socket: dgram.Socket;
  readonly #target: RtpAddress;
  readonly #engine: RoomMixEngine;
  readonly #clock: FrameClock;
  readonly #rtcpSsrc = randomBytes(4).readUInt32BE(0);
  // Producers being consumed or consumed, and the consumers by id (for 'consumerClosed').
  readonly #heard = new Map<string, Promise<boolean>>();
  readonly #consumers = new Map<string, string>();
  readonly #dropped = { malformed: 0, rtcp: 0, foreignSource: 0 };
  readonly #onConsumerClosed = ({ peerId, consumerId }: { peerId: string; consumerId: string }): void => this.#consumerClosed(peerId, consumerId);
  readonly #onGone = (): void => this.#stepAside();
  #frameErrors = 0;
  #lastRtcpMs = -Infinity;
  #steppedAside = false;
  #closed = false;

  private constructor(init: {
    room: PhoneBridgeRoom;
    peerId: string;
    sharing: Sharing;
    socket: dgram.Socket;
    target: RtpAddress;
    options: RoomAudioMixOptions;
  }) {
    this.#room = init.room;
    this.peerId = init.peerId;
    this.#sharing = init.sharing;
    this.#socket = init.socket;
    this.#target = init.target;
    this.#engine = new RoomMixEngine(init.options);
    this.#clock = new FrameClock((tick) => this.#tick(tick));
    this.#socket.on('message', (datagram, remote) => this.#onDatagram(datagram, remote));
    this.#room.on('consumerClosed', this.#onConsumerClosed);
    this.#room.on('reset', this.#onGone);
    this.#room.on('close', this.#onGone);
  }

  /**
   * The room's mix, opened by the first caller; every `acquire` needs its
   * `release`. `options` count only for the call that opens it.
   */
  static acquire(room: PhoneBridgeRoom, options: RoomAudioMixOptions = {}): Promise<RoomAudioMix> {
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
    let socket: dgram.Socket | undefined;
    try {
      room.setRtpCapabilities(peerId, phoneRtpCapabilities(room.rtpCapabilities));
      const transport = await room.createPlainTransport(peerId, { comedia: true });
      const target = { ip: options.mediaIp ?? transport.ip, port: transport.port };
      socket = await bindUdp(options.mediaListenIp ?? listenIpFor(target.ip), 0);
      const mix = new RoomAudioMix({ room, peerId, sharing, socket, target, options });
      mix.#clock.start();
      return mix;
    } catch (error) {
      socket?.close();
      try {
        room.closePeer(peerId);
      } catch {
        // The room may be closed already; the original error is what matters.
      }
      throw error;
    }
  }

  /** How many listeners (callers) hear the mix. */
  get listenerCount(): number {
    return this.#engine.listenerCount;
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

  addListener(listener: MixListener): void {
    this.#engine.addListener(listener);
  }

  removeListener(listener: MixListener): void {
    this.#engine.removeListener(listener);
  }

  /** Frame timings and sizes since the previous call (which starts the next window). */
  takeStats(): RoomMixStats {
    return this.#engine.takeStats();
  }

  counters(): RoomAudioMixCounters {
    return { ...this.#engine.counters(), dropped: { ...this.#dropped }, frameErrors: this.#frameErrors };
  }

  /** A bridge is done with the mix; the last one closes it. */
  release(): void {
    if (this.#closed || --this.#sharing.users > 0) return;
    this.#closed = true;
    this.#stepAside();
    this.#clock.stop();
    this.#socket.close();
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
    this.#engine.addStream(stream);
    // Consumers start paused: resume once the mix is ready for their packets.
    await this.#room.resumeConsumer(this.peerId, consumer.consumerId);
    return true;
  }

  #consumerClosed(peerId: string, consumerId: string): void {
    if (peerId !== this.peerId) return;
    const producerId = this.#consumers.get(consumerId);
    if (producerId === undefined) return;
    this.#consumers.delete(consumerId);
    this.#heard.delete(producerId);
    this.#engine.removeStream(producerId);
  }

  /** The room's consumers of this mix are gone with its media: new bridges get a new mix. */
  #stepAside(): void {
    if (this.#steppedAside) return;
    this.#steppedAside = true;
    if (sharings.get(this.#room) === this.#sharing) sharings.delete(this.#room);
    this.#heard.clear();
    this.#consumers.clear();
    this.#engine.clearStreams();
  }

  #tick(tick: FrameTick): void {
    if (this.#closed) return;
    try {
      this.#engine.frame(tick);
      if (tick.nowMs - this.#lastRtcpMs >= RTCP_INTERVAL_MS && !this.#steppedAside) {
        this.#lastRtcpMs = tick.nowMs;
        // comedia: mediasoup sends to wherever its first packet came from; this is it.
        this.#socket.send(emptyReceiverReport(this.#rtcpSsrc), this.#target.port, this.#target.ip);
      }
    } catch {
      this.#frameErrors++;
    }
  }

  #onDatagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    try {
      if (!sameAddress(this.#target, remote)) {
        this.#dropped.foreignSource++;
        return;
      }
      if (isRtcpPacket(datagram)) {
        // Sender reports of the consumers; nothing the mix needs.
        this.#dropped.rtcp++;
        return;
      }
      this.#engine.receive(parseRtpPacket(datagram), performance.now());
    } catch (error) {
      if (error instanceof RtpParseError) this.#dropped.malformed++;
      else this.#frameErrors++;
    }
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
