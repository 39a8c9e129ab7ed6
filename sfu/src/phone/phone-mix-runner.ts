import { randomBytes } from 'node:crypto';
import type * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';

import { CallerToConference } from './caller-to-conference';
import { FrameClock, type FrameTick } from './frame-clock';
import type { MixVariant } from './mix-variants';
import { MixToCaller } from './mix-to-caller';
import type {
  CallerPacket,
  FromMixThread,
  MixBridgeSpec,
  MixBridgeStats,
  MixNotice,
  MixReplies,
  MixRequest,
  MixSpec,
  RoomAudioMixCounters,
  ToCaller,
  ToMixThread,
} from './mix-protocol';
import { RoomMixEngine, type MixListener } from './room-mix-engine';
import { RtpParseError, emptyReceiverReport, isRtcpPacket, parseRtpPacket, type RtpPacket } from './rtp-packet';
import { TurnBatch } from './turn-batch';
import { bindUdp, sameAddress } from './udp';

const RTCP_INTERVAL_MS = 5000;

/** One caller on the mix: its voice into the room on the mix's clock, and its version of the mix out. */
class BridgeOnThread implements MixListener {
  readonly ownStreamId: string;
  readonly narrowband: boolean;
  hearsRoom = false;
  readonly mixId: number;
  readonly inbound: CallerToConference;
  readonly outbound: MixToCaller;
  readonly #socket: dgram.Socket;
  readonly #levelId: number | undefined;
  tickErrors = 0;

  constructor(spec: MixBridgeSpec, socket: dgram.Socket, toCaller: (payload: Uint8Array, skippedFrames: number) => void) {
    this.mixId = spec.mixId;
    this.ownStreamId = spec.ownStreamId;
    this.#socket = socket;
    this.#levelId = spec.callerAudioLevelExtensionId;
    const { port, ip } = spec.mediaTarget;
    this.inbound = new CallerToConference({
      codec: spec.codec,
      conference: spec.producer,
      send: (datagram) => socket.send(datagram, port, ip),
      callerAudioLevelExtensionId: spec.callerAudioLevelExtensionId,
      jitter: spec.jitter,
    });
    this.outbound = new MixToCaller({ codec: spec.codec, send: toCaller });
    this.narrowband = this.outbound.narrowband;
  }

  beforeMix(tick: FrameTick): void {
    try {
      this.inbound.tick(tick);
    } catch {
      this.tickErrors++;
    }
  }

  play(tick: FrameTick, variant: MixVariant): void {
    try {
      this.outbound.play(tick, variant);
    } catch {
      this.tickErrors++;
    }
  }

  receive(packet: CallerPacket): void {
    const rtp: RtpPacket = {
      payloadType: packet.payloadType,
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      ssrc: packet.ssrc,
      marker: packet.marker,
      csrcs: [],
      extensions: this.#levelId !== undefined && packet.audioLevel ? new Map([[this.#levelId, Buffer.from(packet.audioLevel)]]) : new Map(),
      payload: Buffer.from(packet.payload.buffer, packet.payload.byteOffset, packet.payload.byteLength),
    };
    try {
      this.inbound.receive(rtp, packet.arrivalEpochMs - performance.timeOrigin);
    } catch {
      this.tickErrors++;
    }
  }

  stats(): MixBridgeStats {
    return { callerToConference: this.inbound.stats(), packetsToCaller: this.outbound.packetsOut, tickErrors: this.tickErrors };
  }

  close(): void {
    this.#socket.close();
  }
}

/** One room's mix: the socket its plain transport sends the room's audio to, the engine and the clock. */
class MixOnThread {
  readonly engine: RoomMixEngine;
  readonly bridges = new Set<number>();
  readonly #socket: dgram.Socket;
  readonly #spec: MixSpec;
  readonly #clock: FrameClock;
  readonly #rtcpSsrc = randomBytes(4).readUInt32BE(0);
  readonly #dropped = { malformed: 0, rtcp: 0, foreignSource: 0 };
  #frameErrors = 0;
  #lastRtcpMs = -Infinity;

  constructor(spec: MixSpec, socket: dgram.Socket) {
    this.#spec = spec;
    this.#socket = socket;
    this.engine = new RoomMixEngine({ maxSpeakers: spec.maxSpeakers, jitter: spec.jitter });
    this.#clock = new FrameClock((tick) => this.#tick(tick));
    socket.on('message', (datagram, remote) => this.#onDatagram(datagram, remote));
    this.#clock.start();
  }

  counters(): RoomAudioMixCounters {
    return { ...this.engine.counters(), dropped: { ...this.#dropped }, frameErrors: this.#frameErrors };
  }

  close(): void {
    this.#clock.stop();
    this.#socket.close();
  }

  #tick(tick: FrameTick): void {
    try {
      this.engine.frame(tick);
      if (tick.nowMs - this.#lastRtcpMs >= RTCP_INTERVAL_MS) {
        this.#lastRtcpMs = tick.nowMs;
        // comedia: mediasoup sends to wherever its first packet came from; this is it.
        this.#socket.send(emptyReceiverReport(this.#rtcpSsrc), this.#spec.target.port, this.#spec.target.ip);
      }
    } catch {
      this.#frameErrors++;
    }
  }

  #onDatagram(datagram: Buffer, remote: dgram.RemoteInfo): void {
    try {
      if (!sameAddress(this.#spec.target, remote)) {
        this.#dropped.foreignSource++;
        return;
      }
      if (isRtcpPacket(datagram)) {
        // Sender reports of the consumers; nothing the mix needs.
        this.#dropped.rtcp++;
        return;
      }
      this.engine.receive(parseRtpPacket(datagram), performance.now());
    } catch (error) {
      if (error instanceof RtpParseError) this.#dropped.malformed++;
      else this.#frameErrors++;
    }
  }
}

/**
 * The room mixes of one phone mix thread (or of the main thread, with
 * PHONE_MIX_THREADS=0): everything of the phone audio that runs on the 20 ms
 * clock. It owns the sockets toward the rooms (the mixes' and the bridges'),
 * every jitter buffer, decoder, encoder and resampler; the thread that owns
 * the calls sends it the callers' packets and sends the callers what it
 * makes (`toCallers`). Nothing a message or the network brings throws out.
 */
export class PhoneMixRunner {
  readonly #mixes = new Map<number, MixOnThread>();
  readonly #bridges = new Map<number, BridgeOnThread>();
  readonly #send: (message: FromMixThread) => void;
  readonly #toCallers: TurnBatch<ToCaller>;
  // Mixes and bridges whose socket is being bound, and those of them closed meanwhile (the open
  // timed out on the other side): the open closes them again instead of leaving them running.
  readonly #opening = new Set<number>();
  readonly #cancelled = new Set<number>();

  constructor(send: (message: FromMixThread) => void) {
    this.#send = send;
    this.#toCallers = new TurnBatch((packets) => send({ type: 'toCallers', packets }));
  }

  handle(message: ToMixThread): void {
    if ('call' in message) {
      const { call } = message;
      this.#answer(message).then(
        (result) => this.#send({ type: 'reply', call, result }),
        (error: unknown) => this.#send({ type: 'reply', call, error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    this.#notice(message);
  }

  /** Every mix and bridge closed (the thread or the server stops). */
  close(): void {
    for (const bridge of this.#bridges.values()) bridge.close();
    for (const mix of this.#mixes.values()) mix.close();
    this.#bridges.clear();
    this.#mixes.clear();
    this.#toCallers.clear();
  }

  async #answer(request: MixRequest): Promise<MixReplies[MixRequest['type']]> {
    switch (request.type) {
      case 'openMix': {
        const socket = await this.#bind(request.spec.mixId, request.spec.listenIp);
        this.#mixes.set(request.spec.mixId, new MixOnThread(request.spec, socket));
        return;
      }
      case 'openBridge': {
        const { spec } = request;
        const mix = this.#mixes.get(spec.mixId);
        if (!mix) throw new Error(`no phone mix ${spec.mixId}`);
        const socket = await this.#bind(spec.bridgeId, spec.listenIp);
        if (!this.#mixes.has(spec.mixId)) {
          socket.close();
          throw new Error(`phone mix ${spec.mixId} closed`);
        }
        // A copy of exactly the payload: a view would carry its whole (shared or pooled) buffer to the other thread.
        const bridge = new BridgeOnThread(spec, socket, (payload, skipped) => this.#toCallers.push([spec.bridgeId, new Uint8Array(payload), skipped]));
        this.#bridges.set(spec.bridgeId, bridge);
        mix.bridges.add(spec.bridgeId);
        mix.engine.addListener(bridge);
        return;
      }
      case 'takeStats':
        return { ...this.#mix(request.mixId).engine.takeStats(), threadId };
      case 'counters':
        return this.#mix(request.mixId).counters();
      case 'bridgeStats': {
        const bridge = this.#bridges.get(request.bridgeId);
        if (!bridge) throw new Error(`no phone bridge ${request.bridgeId}`);
        return bridge.stats();
      }
    }
  }

  async #bind(id: number, listenIp: string): Promise<dgram.Socket> {
    this.#opening.add(id);
    try {
      const socket = await bindUdp(listenIp, 0);
      if (this.#cancelled.delete(id)) {
        socket.close();
        throw new Error(`phone mix ${id} was closed while it opened`);
      }
      return socket;
    } finally {
      this.#opening.delete(id);
      this.#cancelled.delete(id);
    }
  }

  #cancel(id: number): void {
    if (this.#opening.has(id)) this.#cancelled.add(id);
  }

  #mix(mixId: number): MixOnThread {
    const mix = this.#mixes.get(mixId);
    if (!mix) throw new Error(`no phone mix ${mixId}`);
    return mix;
  }

  #notice(notice: MixNotice): void {
    switch (notice.type) {
      case 'closeMix': {
        const mix = this.#mixes.get(notice.mixId);
        if (!mix) return this.#cancel(notice.mixId);
        for (const bridgeId of mix.bridges) this.#closeBridge(bridgeId);
        mix.close();
        this.#mixes.delete(notice.mixId);
        return;
      }
      case 'addStream':
        this.#mixes.get(notice.mixId)?.engine.addStream(notice.stream);
        return;
      case 'removeStream':
        this.#mixes.get(notice.mixId)?.engine.removeStream(notice.streamId);
        return;
      case 'clearStreams':
        this.#mixes.get(notice.mixId)?.engine.clearStreams();
        return;
      case 'closeBridge':
        this.#closeBridge(notice.bridgeId);
        return;
      case 'bridgeHearing': {
        const bridge = this.#bridges.get(notice.bridgeId);
        if (bridge) bridge.hearsRoom = true;
        return;
      }
      case 'bridgeMuted': {
        const bridge = this.#bridges.get(notice.bridgeId);
        if (bridge) bridge.inbound.muted = notice.muted;
        return;
      }
      case 'callerPackets':
        for (const packet of notice.packets) this.#bridges.get(packet.bridgeId)?.receive(packet);
        return;
    }
  }

  #closeBridge(bridgeId: number): void {
    const bridge = this.#bridges.get(bridgeId);
    if (!bridge) return this.#cancel(bridgeId);
    this.#bridges.delete(bridgeId);
    this.#mixes.get(bridge.mixId)?.engine.removeListener(bridge);
    this.#mixes.get(bridge.mixId)?.bridges.delete(bridgeId);
    bridge.close();
  }
}
