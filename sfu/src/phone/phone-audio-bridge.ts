import { randomBytes } from 'node:crypto';
import type * as dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

import { CallerToConference, type CallerToConferenceStats } from './caller-to-conference';
import type { FrameTick } from './frame-clock';
import type { JitterBufferOptions } from './jitter-buffer';
import type { MixVariant } from './mix-variants';
import { MixToCaller } from './mix-to-caller';
import type { PhoneBridgeRoom } from './phone-bridge-room';
import type { PhoneCodec } from './phone-codec';
import { RoomAudioMix } from './room-audio-mix';
import type { MixListener } from './room-mix-engine';
import { AUDIO_LEVEL_EXTENSION_URI, RtpParseError, isRtcpPacket, parseRtpPacket } from './rtp-packet';
import { bindUdp, listenIpFor, type RtpAddress } from './udp';

export interface PhoneAudioBridgeOptions {
  room: PhoneBridgeRoom;
  /** The caller's participant id: the room peer the bridge produces as. */
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
  /**
   * With `callerSocket`: how the mix goes to the caller, decided by the socket's owner (the SIP
   * side sends only to an address that has proved itself, and stops on ICMP unreachable). The
   * bridge then never picks a destination of its own.
   */
  sendToCaller?: (datagram: Buffer) => void;
  /** The caller's RFC 6464 extension id, when an Opus caller negotiated one. */
  callerAudioLevelExtensionId?: number;
  /**
   * The IP to reach the room's plain transports at, when that is not the one
   * they announce (a public announced IP the bridge on the same host should
   * not hairpin through). Default: the announced IP.
   */
  mediaIp?: string;
  /** The local address the sockets toward the room bind to. Default: 127.0.0.1 for a loopback room, else any. */
  mediaListenIp?: string;
  /** How many speakers the room's mix mixes at once (for the bridge that opens the room's mix). Default 3. */
  maxSpeakers?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
  /** After this long without packets from the latched address, another address may take over (NAT rebinding). Default 2000 ms. */
  relatchAfterMs?: number;
}

export interface PhoneAudioBridgeEvents {
  /** The caller's RTP source address is known (first packet) or changed (relatch). */
  latched: [RtpAddress];
  close: [];
}

export interface PhoneAudioBridgeStats {
  /** Datagrams from the caller dropped before they reached the audio path, by cause. */
  dropped: {
    malformed: number;
    rtcp: number;
    otherPayloadType: number;
    foreignSource: number;
  };
  callerToConference: CallerToConferenceStats;
  /** Packets of the mix sent (or, while the output is held or the caller unknown, due) to the caller. */
  packetsToCaller: number;
  /** Ticks that threw (a bug); the bridge carries on. */
  tickErrors: number;
}

/** The Opus stream the bridge produces: dynamic payload type and the level extension id it uses. */
const PRODUCER_PAYLOAD_TYPE = 100;
const PRODUCER_AUDIO_LEVEL_ID = 1;

/**
 * One phone call's audio, bridged into a conference's media room.
 *
 * Caller -> room: the caller's RTP arrives on the bridge's caller socket
 * (latched to the first packet's source: symmetric RTP for phones behind
 * NAT), goes through a jitter buffer and G.711 decode (or passes through as
 * Opus), and is produced into the room as an Opus microphone on a plain
 * transport of the caller's peer, so browsers consume it like any
 * participant and the active speaker observer hears callers.
 *
 * Room -> caller: the room's mix (RoomAudioMix, one per room, shared by its
 * bridges) consumes the producers the bridge is told to `hear`, and every
 * 20 ms hands the bridge the caller's version of the mix (never with the
 * caller's own voice), which goes to the caller in its codec. Until the
 * first `hear` (the server calls it once the caller is admitted) the caller
 * hears silence, whatever the mix plays for others.
 *
 * Nothing received from the network can throw out of the bridge: malformed
 * and unexpected datagrams are counted and dropped.
 */
export class PhoneAudioBridge extends EventEmitter<PhoneAudioBridgeEvents> {
  readonly peerId: string;
  /** Where the caller sends RTP to (the SDP answer's address). */
  readonly localAddress: RtpAddress;
  readonly producerId: string;
  readonly #room: PhoneBridgeRoom;
  readonly #mix: RoomAudioMix;
  readonly #listener: MixListener;
  readonly #callerSocket: dgram.Socket;
  readonly #mediaSocket: dgram.Socket;
  readonly #mediaTarget: RtpAddress;
  readonly #codec: PhoneCodec;
  readonly #inbound: CallerToConference;
  readonly #outbound: MixToCaller;
  readonly #relatchAfterMs: number;
  #caller: RtpAddress | undefined;
  #latched = false;
  #lastCallerPacketMs: number;
  #hearing = false;
  #muted = false;
  #closed = false;
  #outputHeld = false;
  readonly #ownsCallerSocket: boolean;
  readonly #ownerSends?: (datagram: Buffer) => void;
  readonly #onCallerMessage: (datagram: Buffer, remote: dgram.RemoteInfo) => void;
  readonly #dropped = { malformed: 0, rtcp: 0, otherPayloadType: 0, foreignSource: 0 };
  #tickErrors = 0;

  private constructor(init: {
    options: PhoneAudioBridgeOptions;
    mix: RoomAudioMix;
    callerSocket: dgram.Socket;
    mediaSocket: dgram.Socket;
    mediaTarget: RtpAddress;
    producerId: string;
    producerSsrc: number;
  }) {
    super();
    const { options } = init;
    this.peerId = options.peerId;
    this.#room = options.room;
    this.#mix = init.mix;
    this.#codec = options.codec;
    this.#callerSocket = init.callerSocket;
    this.#mediaSocket = init.mediaSocket;
    this.#mediaTarget = init.mediaTarget;
    this.producerId = init.producerId;
    this.#relatchAfterMs = options.relatchAfterMs ?? 2000;
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
    this.#outbound = new MixToCaller({ codec: options.codec, send: (datagram) => this.#sendToCaller(datagram) });
    const hearing = (): boolean => this.#hearing;
    this.#listener = {
      ownStreamId: init.producerId,
      narrowband: this.#outbound.narrowband,
      get hearsRoom() {
        return hearing();
      },
      beforeMix: (tick) => this.#beforeMix(tick),
      play: (tick, variant) => this.#play(tick, variant),
    };

    this.#ownsCallerSocket = !options.callerSocket;
    this.#ownerSends = options.callerSocket ? options.sendToCaller : undefined;
    this.#onCallerMessage = (datagram, remote) => this.#onCallerDatagram(datagram, remote);
    this.#callerSocket.on('message', this.#onCallerMessage);
  }

  /**
   * Joins the room's mix (opening it for the room's first caller), opens the
   * caller's socket, plain transport and producer in the room. The caller
   * hears silence until `hear` is first called (the server decides when: not
   * while the caller waits in the lobby).
   */
  static async create(options: PhoneAudioBridgeOptions): Promise<PhoneAudioBridge> {
    const { room, peerId } = options;
    const sockets: dgram.Socket[] = [];
    let mix: RoomAudioMix | undefined;
    try {
      const callerSocket = options.callerSocket ?? (await bindUdp(options.callerListen.ip, options.callerListen.port ?? 0));
      if (!options.callerSocket) sockets.push(callerSocket);
      mix = await RoomAudioMix.acquire(room, {
        maxSpeakers: options.maxSpeakers,
        jitter: options.jitter,
        mediaIp: options.mediaIp,
        mediaListenIp: options.mediaListenIp,
      });
      const transport = await room.createPlainTransport(peerId, { comedia: true });
      const mediaTarget = { ip: options.mediaIp ?? transport.ip, port: transport.port };
      const mediaSocket = await bindUdp(options.mediaListenIp ?? listenIpFor(mediaTarget.ip), 0);
      sockets.push(mediaSocket);
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
      const bridge = new PhoneAudioBridge({ options, mix, callerSocket, mediaSocket, mediaTarget, producerId, producerSsrc });
      mix.addListener(bridge.#listener);
      return bridge;
    } catch (error) {
      for (const socket of sockets) socket.close();
      mix?.release();
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
   * socket instead); the room's mix goes on.
   */
  get outputHeld(): boolean {
    return this.#outputHeld;
  }

  set outputHeld(held: boolean) {
    this.#outputHeld = held;
  }

  /** The room's mix the caller hears (shared with the room's other callers): its stats. */
  get roomMix(): RoomAudioMix {
    return this.#mix;
  }

  stats(): PhoneAudioBridgeStats {
    return {
      dropped: { ...this.#dropped },
      callerToConference: this.#inbound.stats(),
      packetsToCaller: this.#outbound.packetsOut,
      tickErrors: this.#tickErrors,
    };
  }

  /**
   * Lets the caller hear a producer of the room (another participant's
   * microphone) through the room's mix, and the room from now on. False for
   * the caller's own producer, and when the room will not have the producer
   * consumed.
   */
  async hear(producerId: string): Promise<boolean> {
    if (this.#closed || producerId === this.producerId) return false;
    this.#hearing = true;
    return this.#mix.hear(producerId);
  }

  /** Mutes the caller: its producer is paused in the room (so it leaves the mix) and the bridge stops encoding. */
  async setMuted(muted: boolean): Promise<void> {
    if (this.#closed) return;
    this.#muted = muted;
    this.#inbound.muted = muted;
    await this.#room.setProducerPaused(this.producerId, muted);
  }

  /** Leaves the room's mix, closes the sockets and takes the caller's peer out of the room's media. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#mix.removeListener(this.#listener);
    this.#mix.release();
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

  #beforeMix(tick: FrameTick): void {
    try {
      this.#inbound.tick(tick);
    } catch {
      this.#tickErrors++;
    }
  }

  #play(tick: FrameTick, variant: MixVariant): void {
    try {
      this.#outbound.play(tick, variant);
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

  #sendToRoom(datagram: Buffer): void {
    if (this.#closed) return;
    this.#mediaSocket.send(datagram, this.#mediaTarget.port, this.#mediaTarget.ip);
  }

  #sendToCaller(datagram: Buffer): void {
    if (this.#closed || this.#outputHeld) return;
    if (this.#ownerSends) {
      this.#ownerSends(datagram);
      return;
    }
    const caller = this.#caller;
    if (!caller) return;
    this.#callerSocket.send(datagram, caller.port, caller.ip);
  }
}
