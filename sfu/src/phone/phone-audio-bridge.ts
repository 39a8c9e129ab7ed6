import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';

import type { types } from 'mediasoup';

import type { ProducerSource } from '../media-peer';
import type { ConsumerInfo, PlainTransportInfo } from '../media-room';
import { CallerToConference, type CallerToConferenceStats } from './caller-to-conference';
import { ConferenceToCaller, type ConferenceToCallerStats } from './conference-to-caller';
import { FrameClock, type FrameTick } from './frame-clock';
import type { JitterBufferOptions } from './jitter-buffer';
import type { PhoneCodec } from './phone-codec';
import { AUDIO_LEVEL_EXTENSION_URI, RtpParseError, emptyReceiverReport, isRtcpPacket, parseRtpPacket } from './rtp-packet';

/**
 * What the bridge needs of the conference's media room: MediaRoom's own
 * signatures, so MediaRoom is one. The bridge relies on `consume` landing on
 * the caller's plain transport, the only one a phone peer has.
 */
export interface PhoneBridgeRoom {
  readonly rtpCapabilities: types.RtpCapabilities;
  setRtpCapabilities(peerId: string, rtpCapabilities: types.RtpCapabilities): void;
  createPlainTransport(peerId: string, options: { comedia: true }): Promise<PlainTransportInfo>;
  produce(
    peerId: string,
    transportId: string,
    kind: types.MediaKind,
    rtpParameters: types.RtpParameters,
    appData: { source: ProducerSource },
  ): Promise<string>;
  setProducerPaused(producerId: string, paused: boolean): Promise<void>;
  consume(peerId: string, producerId: string): Promise<ConsumerInfo | null>;
  resumeConsumer(peerId: string, consumerId: string): Promise<void>;
  closePeer(peerId: string): void;
}

export interface RtpAddress {
  ip: string;
  port: number;
}

export interface PhoneAudioBridgeOptions {
  room: PhoneBridgeRoom;
  /** The caller's participant id: the room peer the bridge produces and consumes as. */
  peerId: string;
  /** The codec negotiated with the phone. */
  codec: PhoneCodec;
  /** Where the caller-facing RTP socket listens (port 0: any); goes into the SDP answer. Ignored with `callerSocket`. */
  callerListen: { ip: string; port?: number };
  /**
   * The call's RTP socket, already bound (the SIP side's menu socket, whose port the SDP
   * answer announced): the bridge listens and sends on it too, and leaves closing it to its owner.
   * Packets the bridge does not take (telephone-events) stay the owner's business.
   */
  callerSocket?: dgram.Socket;
  /** The caller's RTP address from its SDP, used until its first packet arrives (symmetric RTP then wins). */
  callerAddress?: RtpAddress;
  /** The caller's RFC 6464 extension id, when an Opus caller negotiated one. */
  callerAudioLevelExtensionId?: number;
  /**
   * Where to reach the room's plain transport, when that is not the address
   * it announces (a public announced IP the bridge on the same host should
   * not hairpin through). Default: the announced address.
   */
  mediaAddress?: RtpAddress;
  /** The local address the bridge's socket toward the room binds to. Default: 127.0.0.1 for a loopback room, else 0.0.0.0. */
  mediaListenIp?: string;
  /** How many speakers the caller hears at once. Default 3. */
  maxSpeakers?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
  /** After this long without packets from the latched address, another address may take over (NAT rebinding). Default 2000 ms. */
  relatchAfterMs?: number;
  /** 'callerSilent' fires after this long without RTP from the caller. Default 30000 ms. */
  callerTimeoutMs?: number;
}

export interface PhoneAudioBridgeEvents {
  /** The caller's RTP source address is known (first packet) or changed (relatch). */
  latched: [RtpAddress];
  /** No RTP from the caller for callerTimeoutMs: the call is probably gone (the SIP side decides). */
  callerSilent: [];
  close: [];
}

export interface PhoneAudioBridgeStats {
  /** Datagrams dropped before they reached the audio path, by cause. */
  dropped: {
    malformed: number;
    rtcp: number;
    otherPayloadType: number;
    foreignSource: number;
  };
  callerToConference: CallerToConferenceStats;
  conferenceToCaller: ConferenceToCallerStats;
  /** Ticks that threw (a bug); the bridge carries on. */
  tickErrors: number;
}

/** The Opus stream the bridge produces: dynamic payload type and the level extension id it uses. */
const PRODUCER_PAYLOAD_TYPE = 100;
const PRODUCER_AUDIO_LEVEL_ID = 1;
const RTCP_INTERVAL_MS = 5000;

/**
 * One phone call's audio, bridged into a conference's media room.
 *
 * Caller -> room: the caller's RTP arrives on the bridge's caller socket
 * (latched to the first packet's source: symmetric RTP for phones behind
 * NAT), goes through a jitter buffer and G.711 decode (or passes through as
 * Opus), and is produced into the room as an Opus microphone on a plain
 * transport, so browsers consume it like any participant and the active
 * speaker observer hears callers.
 *
 * Room -> caller: the room's other audio producers are consumed on the same
 * plain transport (`hear`), mixed N-1 of the loudest few, and sent to the
 * caller in its codec every 20 ms.
 *
 * One plain transport in comedia mode serves both directions: the bridge's
 * room-side socket sends an RTCP receiver report to it at once (and every
 * 5 s), so mediasoup learns where to send before the caller says a word.
 * Nothing received from the network can throw out of the bridge: malformed
 * and unexpected datagrams are counted and dropped.
 */
export class PhoneAudioBridge extends EventEmitter<PhoneAudioBridgeEvents> {
  readonly peerId: string;
  /** Where the caller sends RTP to (the SDP answer's address). */
  readonly localAddress: RtpAddress;
  readonly producerId: string;
  readonly #room: PhoneBridgeRoom;
  readonly #callerSocket: dgram.Socket;
  readonly #mediaSocket: dgram.Socket;
  readonly #mediaTarget: RtpAddress;
  readonly #codec: PhoneCodec;
  readonly #inbound: CallerToConference;
  readonly #outbound: ConferenceToCaller;
  readonly #clock: FrameClock;
  readonly #rtcpSsrc: number;
  readonly #relatchAfterMs: number;
  readonly #callerTimeoutMs: number;
  #caller: RtpAddress | undefined;
  #latched = false;
  #lastCallerPacketMs: number;
  #callerSilentReported = false;
  #lastRtcpMs = -Infinity;
  // producerId -> consumer, for stopHearing.
  readonly #heard = new Map<string, { consumerId: string; ssrc: number }>();
  #muted = false;
  #closed = false;
  #outputHeld = false;
  readonly #ownsCallerSocket: boolean;
  readonly #onCallerMessage: (datagram: Buffer, remote: dgram.RemoteInfo) => void;
  readonly #dropped = { malformed: 0, rtcp: 0, otherPayloadType: 0, foreignSource: 0 };
  #tickErrors = 0;

  private constructor(init: {
    options: PhoneAudioBridgeOptions;
    callerSocket: dgram.Socket;
    mediaSocket: dgram.Socket;
    mediaTarget: RtpAddress;
    producerId: string;
    producerSsrc: number;
    rtcpSsrc: number;
  }) {
    super();
    const { options } = init;
    this.peerId = options.peerId;
    this.#room = options.room;
    this.#codec = options.codec;
    this.#callerSocket = init.callerSocket;
    this.#mediaSocket = init.mediaSocket;
    this.#mediaTarget = init.mediaTarget;
    this.producerId = init.producerId;
    this.#rtcpSsrc = init.rtcpSsrc;
    this.#relatchAfterMs = options.relatchAfterMs ?? 2000;
    this.#callerTimeoutMs = options.callerTimeoutMs ?? 30_000;
    this.#caller = options.callerAddress;
    this.#lastCallerPacketMs = performance.now();
    const address = init.callerSocket.address();
    this.localAddress = { ip: address.address, port: address.port };

    this.#inbound = new CallerToConference({
      codec: options.codec,
      conference: { payloadType: PRODUCER_PAYLOAD_TYPE, ssrc: init.producerSsrc, audioLevelExtensionId: PRODUCER_AUDIO_LEVEL_ID },
      send: (datagram) => this.#sendToRoom(datagram),
      callerAudioLevelExtensionId: options.callerAudioLevelExtensionId,
      jitter: options.jitter,
    });
    this.#outbound = new ConferenceToCaller({
      codec: options.codec,
      send: (datagram) => this.#sendToCaller(datagram),
      maxSpeakers: options.maxSpeakers,
      jitter: options.jitter,
    });
    this.#clock = new FrameClock((tick) => this.#tick(tick));

    this.#ownsCallerSocket = !options.callerSocket;
    this.#onCallerMessage = (datagram, remote) => this.#onCallerDatagram(datagram, remote);
    this.#callerSocket.on('message', this.#onCallerMessage);
    this.#mediaSocket.on('message', (datagram, remote) => this.#onRoomDatagram(datagram, remote));
  }

  /**
   * Opens the sockets, the plain transport and the caller's producer in the
   * room, and starts the 20 ms clock. The caller hears nobody until `hear`
   * is called for the room's audio producers (the server decides when: not
   * while the caller waits in the lobby).
   */
  static async create(options: PhoneAudioBridgeOptions): Promise<PhoneAudioBridge> {
    const { room, peerId } = options;
    const sockets: dgram.Socket[] = [];
    try {
      const callerSocket = options.callerSocket ?? (await bindUdp(options.callerListen.ip, options.callerListen.port ?? 0));
      if (!options.callerSocket) sockets.push(callerSocket);
      room.setRtpCapabilities(peerId, phoneRtpCapabilities(room.rtpCapabilities));
      const transport = await room.createPlainTransport(peerId, { comedia: true });
      const mediaTarget = options.mediaAddress ?? { ip: transport.ip, port: transport.port };
      const mediaSocket = await bindUdp(options.mediaListenIp ?? (isLoopback(mediaTarget.ip) ? '127.0.0.1' : anyAddress(mediaTarget.ip)), 0);
      sockets.push(mediaSocket);
      const rtcpSsrc = randomBytes(4).readUInt32BE(0);
      // comedia: mediasoup sends to wherever its first packet came from; this is it.
      mediaSocket.send(emptyReceiverReport(rtcpSsrc), mediaTarget.port, mediaTarget.ip);

      const producerSsrc = randomBytes(4).readUInt32BE(0);
      const producerId = await room.produce(
        peerId,
        transport.id,
        'audio',
        {
          codecs: [
            { mimeType: 'audio/opus', payloadType: PRODUCER_PAYLOAD_TYPE, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } },
          ],
          encodings: [{ ssrc: producerSsrc }],
          headerExtensions: [{ uri: AUDIO_LEVEL_EXTENSION_URI, id: PRODUCER_AUDIO_LEVEL_ID }],
          rtcp: { cname: `phone-${peerId}`, reducedSize: true },
        },
        { source: 'microphone' },
      );
      const bridge = new PhoneAudioBridge({ options, callerSocket, mediaSocket, mediaTarget, producerId, producerSsrc, rtcpSsrc });
      bridge.#clock.start();
      return bridge;
    } catch (error) {
      for (const socket of sockets) socket.close();
      try {
        room.closePeer(peerId);
      } catch {
        // The room may be closed already; the original error is what matters.
      }
      throw error;
    }
  }

  get codec(): PhoneCodec {
    return this.#codec;
  }

  /** Where the caller's RTP comes from (once latched) or is expected from. */
  get callerAddress(): RtpAddress | undefined {
    return this.#caller;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * While true, the mix is not sent to the caller (the SIP side plays a prompt on the same
   * socket instead); the room's streams keep flowing through the mixer.
   */
  get outputHeld(): boolean {
    return this.#outputHeld;
  }

  set outputHeld(held: boolean) {
    this.#outputHeld = held;
  }

  /** The mixer of what the caller hears (diagnostics, tests). */
  get mixer(): ConferenceToCaller['mixer'] {
    return this.#outbound.mixer;
  }

  stats(): PhoneAudioBridgeStats {
    return {
      dropped: { ...this.#dropped },
      callerToConference: this.#inbound.stats(),
      conferenceToCaller: this.#outbound.stats(),
      tickErrors: this.#tickErrors,
    };
  }

  /**
   * Lets the caller hear a producer of the room (another participant's
   * microphone). False when the room will not have it consumed (e.g. the
   * caller's own producer, or one it hears already).
   */
  async hear(producerId: string): Promise<boolean> {
    if (this.#closed || this.#heard.has(producerId)) return false;
    const consumer = await this.#room.consume(this.peerId, producerId);
    if (!consumer) return false;
    const stream = conferenceStreamOf(consumer);
    if (!stream || this.#closed) return false;
    this.#heard.set(producerId, { consumerId: consumer.consumerId, ssrc: stream.ssrc });
    this.#outbound.addStream(stream);
    // Consumers start paused: resume once the bridge is ready for its packets.
    await this.#room.resumeConsumer(this.peerId, consumer.consumerId);
    return true;
  }

  /** The producer (or its consumer, by id) closed or should no longer be heard. */
  stopHearing(producerOrConsumerId: string): void {
    for (const [producerId, heard] of this.#heard) {
      if (producerId !== producerOrConsumerId && heard.consumerId !== producerOrConsumerId) continue;
      this.#heard.delete(producerId);
      this.#outbound.removeStream(heard.ssrc);
    }
  }

  /** Mutes the caller: its producer is paused in the room and the bridge stops encoding. */
  async setMuted(muted: boolean): Promise<void> {
    if (this.#closed) return;
    this.#muted = muted;
    this.#inbound.muted = muted;
    await this.#room.setProducerPaused(this.producerId, muted);
  }

  /** Stops the clock, closes the sockets and takes the caller's peer out of the room's media. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.stop();
    if (this.#ownsCallerSocket) this.#callerSocket.close();
    else this.#callerSocket.off('message', this.#onCallerMessage);
    this.#mediaSocket.close();
    try {
      this.#room.closePeer(this.peerId);
    } catch {
      // A closed room has no peers left to close.
    }
    this.emit('close');
  }

  #tick(tick: FrameTick): void {
    if (this.#closed) return;
    try {
      this.#inbound.tick(tick);
      // Mixes even before the caller's address is known, so the room's streams keep flowing through.
      this.#outbound.tick(tick);
      if (tick.nowMs - this.#lastRtcpMs >= RTCP_INTERVAL_MS) {
        this.#lastRtcpMs = tick.nowMs;
        this.#sendToRoom(emptyReceiverReport(this.#rtcpSsrc));
      }
      if (!this.#callerSilentReported && tick.nowMs - this.#lastCallerPacketMs > this.#callerTimeoutMs) {
        this.#callerSilentReported = true;
        this.emit('callerSilent');
      }
    } catch {
      this.#tickErrors++;
    }
  }

  #onCallerDatagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    try {
      if (isRtcpPacket(datagram)) {
        this.#dropped.rtcp++;
        return;
      }
      const packet = parseRtpPacket(datagram);
      if (packet.payloadType !== this.#codec.payloadType) {
        // telephone-event (DTMF) and comfort noise are the SIP side's business.
        this.#dropped.otherPayloadType++;
        return;
      }
      const now = performance.now();
      if (!this.#acceptCallerSource(remote, now)) {
        this.#dropped.foreignSource++;
        return;
      }
      this.#lastCallerPacketMs = now;
      this.#callerSilentReported = false;
      this.#inbound.receive(packet, now);
    } catch (error) {
      if (error instanceof RtpParseError) this.#dropped.malformed++;
      else this.#tickErrors++;
    }
  }

  /** Symmetric RTP: the first valid packet's source is where the caller's audio goes; a new one only after the old one went quiet. */
  #acceptCallerSource(remote: dgram.RemoteInfo, now: number): boolean {
    const current = this.#caller;
    const same = current !== undefined && current.ip === remote.address && current.port === remote.port;
    if (this.#latched && same) return true;
    if (this.#latched && now - this.#lastCallerPacketMs < this.#relatchAfterMs) return false;
    this.#latched = true;
    this.#caller = { ip: remote.address, port: remote.port };
    if (!same) this.emit('latched', { ...this.#caller });
    return true;
  }

  #onRoomDatagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    try {
      if (remote.address !== this.#mediaTarget.ip || remote.port !== this.#mediaTarget.port) {
        this.#dropped.foreignSource++;
        return;
      }
      if (isRtcpPacket(datagram)) {
        // Sender reports of the consumers; nothing the bridge needs yet.
        this.#dropped.rtcp++;
        return;
      }
      this.#outbound.receive(parseRtpPacket(datagram), performance.now());
    } catch (error) {
      if (error instanceof RtpParseError) this.#dropped.malformed++;
      else this.#tickErrors++;
    }
  }

  #sendToRoom(datagram: Buffer): void {
    if (this.#closed) return;
    this.#mediaSocket.send(datagram, this.#mediaTarget.port, this.#mediaTarget.ip);
  }

  #sendToCaller(datagram: Buffer): void {
    const caller = this.#caller;
    if (this.#closed || !caller || this.#outputHeld) return;
    this.#callerSocket.send(datagram, caller.port, caller.ip);
  }
}

/** What the bridge asks the room for: Opus with the audio level extension, nothing else. */
export function phoneRtpCapabilities(roomCapabilities: types.RtpCapabilities): types.RtpCapabilities {
  return {
    codecs: (roomCapabilities.codecs ?? []).filter((codec) => codec.mimeType.toLowerCase() === 'audio/opus'),
    headerExtensions: (roomCapabilities.headerExtensions ?? []).filter(
      (extension) => extension.kind === 'audio' && extension.uri === AUDIO_LEVEL_EXTENSION_URI,
    ),
  };
}

function conferenceStreamOf(consumer: ConsumerInfo): { ssrc: number; payloadType: number; audioLevelExtensionId?: number } | undefined {
  const { rtpParameters } = consumer;
  const codec = rtpParameters.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/opus');
  const ssrc = rtpParameters.encodings?.[0]?.ssrc;
  if (consumer.kind !== 'audio' || !codec || ssrc === undefined) return undefined;
  const level = rtpParameters.headerExtensions?.find((extension) => extension.uri === AUDIO_LEVEL_EXTENSION_URI);
  return { ssrc, payloadType: codec.payloadType, audioLevelExtensionId: level?.id };
}

function bindUdp(ip: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, ip, () => {
      socket.off('error', reject);
      // Send errors (ICMP port unreachable from a phone that hung up) must not crash the process.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

function anyAddress(ip: string): string {
  return isIP(ip) === 6 ? '::' : '0.0.0.0';
}
