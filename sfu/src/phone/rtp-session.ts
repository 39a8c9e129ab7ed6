import { randomInt } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Rfc4733Receiver, type KeyEvent } from './rfc4733-receiver';
import { RtpParseError, isRtcpPacket, parseRtpPacket, serializeRtpPacket, type RtpPacket } from './rtp-packet';
import { bindUdp, bindUdpInRange, type PortRange } from './udp';

/** RFC 3389 comfort noise: a caller with silence suppression may send only this while quiet. */
const COMFORT_NOISE = 13;

/** What the session needs of the call's negotiated media (the SIP side's NegotiatedAudio has it all). */
export interface CallMedia {
  payloadType: number;
  /** Null when the call has no RFC 4733 telephone-events. */
  telephoneEventPayloadType: number | null;
  /** From the caller's SDP: never sent to, only compared to spot a caller that moved. */
  remoteAddress: string;
  remotePort: number;
  /** The direction from the gateway's side. */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  onHold: boolean;
}

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionEvents {
  /** The first packet from the caller arrived: from now on RTP goes to where it came from. */
  latched: [remote: RtpEndpoint];
  /** ICMP port unreachable from the caller's address: nothing is sent any more. */
  unreachable: [];
  /** RTP of the negotiated audio payload type from the caller. */
  audio: [packet: RtpPacket];
  /** A key pressed, as RFC 4733 telephone-events tell it. */
  key: [event: KeyEvent];
  /** An audio payload sent to the caller (what could come back as echo). */
  sent: [payload: Uint8Array];
}

export interface RtpSessionStats {
  /** Datagrams on the socket that carried no audio or key, by cause. */
  dropped: {
    malformed: number;
    rtcp: number;
    otherPayloadType: number;
    foreignSource: number;
  };
}

/**
 * One call's RTP socket, created and closed here and nowhere else: the phone menu's prompts and
 * the audio bridge's mix both go out through it. Symmetric RTP (RFC 4961) is the only way out:
 * nothing is sent until the caller's first RTP packet arrives, and then only to where it came
 * from. The address in the caller's SDP is never sent to: anyone can write any address there
 * (or spoof the INVITE), and a gateway that streams prompts to it is an amplifier aimed at a
 * third party. Latching connects the socket to the caller, so the kernel drops packets from
 * anywhere else and reports ICMP port unreachable, which stops all sending ('unreachable').
 * Telephone-events are turned into key events; audio packets of the negotiated payload type are
 * passed on; any RTP or RTCP from the caller counts as a sign of life (`silentForMs`). Nothing
 * received can throw: what is not usable is counted (`stats`) and dropped.
 */
export class RtpSession<Media extends CallMedia = CallMedia> extends EventEmitter<RtpSessionEvents> {
  readonly #socket: Socket;
  readonly #ssrc = randomInt(1, 2 ** 32 - 1);
  #sequence = randomInt(0, 2 ** 16);
  #timestamp = randomInt(0, 2 ** 32 - 1);
  #media: Media;
  #latched?: RtpEndpoint;
  /** The socket is connected to the latched address (connecting takes a moment). */
  #connected = false;
  #connecting = false;
  #unreachable = false;
  #lastHeardMs = performance.now();
  #keys: Rfc4733Receiver;
  #startOfTalkspurt = true;
  #closed = false;
  readonly #dropped = { malformed: 0, rtcp: 0, otherPayloadType: 0, foreignSource: 0 };

  private constructor(socket: Socket, media: Media) {
    super();
    this.#socket = socket;
    this.#media = media;
    this.#keys = new Rfc4733Receiver((key) => this.emit('key', key));
    socket.on('message', (data, from) => this.#receive(data, from));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNREFUSED' || this.#unreachable || this.#closed) return;
      this.#unreachable = true;
      this.emit('unreachable');
    });
  }

  /** Binds a UDP port for a call on `host`: `port` (0: any free port), or a free even port of a range. */
  static async open<Media extends CallMedia>(host: string, port: number | PortRange, media: Media): Promise<RtpSession<Media>> {
    return new RtpSession(typeof port === 'number' ? await bindUdp(host, port) : await bindUdpInRange(host, port), media);
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  get media(): Media {
    return this.#media;
  }

  /** Where the caller's RTP comes from; undefined until its first packet (nothing is sent until then). */
  get latched(): RtpEndpoint | undefined {
    return this.#latched;
  }

  /** How long the caller has sent nothing at all (RTP of any payload type, or RTCP). */
  get silentForMs(): number {
    return performance.now() - this.#lastHeardMs;
  }

  /** Whether the caller is expected to send: not while it holds the call or only listens. */
  get callerSends(): boolean {
    return !this.#media.onHold && (this.#media.direction === 'sendrecv' || this.#media.direction === 'recvonly');
  }

  /**
   * After a re-INVITE: the new codec and direction apply; a new address in the SDP means the
   * caller moved (or resumed from hold), so the session latches afresh.
   */
  update(media: Media): void {
    const previous = this.#media;
    const callerSent = this.callerSends;
    this.#media = media;
    // Back from hold (or told to send again): the silence timeout starts afresh.
    if (!callerSent && this.callerSends) this.#lastHeardMs = performance.now();
    const moved = media.remoteAddress !== previous.remoteAddress || media.remotePort !== previous.remotePort;
    if (moved && media.remoteAddress !== '0.0.0.0') this.#unlatch();
    if (media.telephoneEventPayloadType !== previous.telephoneEventPayloadType) {
      this.#keys = new Rfc4733Receiver((key) => this.emit('key', key));
    }
  }

  #unlatch(): void {
    if (!this.#latched) return;
    this.#latched = undefined;
    // Still connecting: the connect callback undoes it.
    if (this.#connected) this.#socket.disconnect();
    this.#connected = false;
    this.#unreachable = false;
  }

  #latch(from: RemoteInfo): void {
    const latched = { address: from.address, port: from.port };
    this.#latched = latched;
    this.#connecting = true;
    this.#socket.connect(from.port, from.address, () => {
      this.#connecting = false;
      if (this.#closed) return;
      if (this.#latched !== latched) {
        this.#socket.disconnect();
        return;
      }
      this.#connected = true;
    });
    this.emit('latched', latched);
  }

  #receive(data: Buffer, from: RemoteInfo): void {
    if (this.#closed) return;
    const fromCaller = this.#latched !== undefined && from.address === this.#latched.address && from.port === this.#latched.port;
    // RTCP multiplexed on this port, comfort noise, anything of RTP version 2 from the caller: it is alive.
    if (fromCaller && data.length >= 8 && data[0]! >> 6 === 2) this.#lastHeardMs = performance.now();
    const packet = this.#parse(data);
    if (!packet) return;
    if (!this.#latched) {
      // A connect to an address given up meanwhile is still under way: the next packet latches.
      if (this.#connecting) return;
      // Only RTP the call negotiated (or comfort noise) proves an address; RTCP comes from another port without rtcp-mux.
      const known =
        packet.payloadType === this.#media.payloadType || packet.payloadType === this.#media.telephoneEventPayloadType || packet.payloadType === COMFORT_NOISE;
      if (!known) {
        this.#dropped.otherPayloadType++;
        return;
      }
      this.#latch(from);
      this.#lastHeardMs = performance.now();
    } else if (!fromCaller) {
      // Only while the socket is still being connected to the caller; after that the kernel drops these.
      this.#dropped.foreignSource++;
      return;
    }
    const known = packet.payloadType === this.#media.payloadType || packet.payloadType === this.#media.telephoneEventPayloadType;
    if (!known) {
      if (packet.payloadType !== COMFORT_NOISE) this.#dropped.otherPayloadType++;
      return;
    }
    if (packet.payloadType === this.#media.telephoneEventPayloadType) {
      this.#keys.receive(packet);
      return;
    }
    this.emit('audio', packet);
  }

  stats(): RtpSessionStats {
    return { dropped: { ...this.#dropped } };
  }

  #parse(data: Buffer): RtpPacket | undefined {
    // RTCP multiplexed on the port (a receiver report is shorter than an RTP header).
    if (isRtcpPacket(data)) {
      this.#dropped.rtcp++;
      return undefined;
    }
    try {
      return parseRtpPacket(data);
    } catch (error) {
      if (!(error instanceof RtpParseError)) throw error;
      this.#dropped.malformed++;
      return undefined;
    }
  }

  /**
   * Sends a datagram to the caller (the audio bridge's mix goes out this way too): only once the
   * caller has proved its address, never after ICMP said nobody listens there, and not while the
   * call's direction has the gateway silent (the caller holds with sendonly or inactive).
   */
  sendToCaller(datagram: Buffer): boolean {
    if (this.#closed || !this.#connected || this.#unreachable || !this.#gatewaySends()) return false;
    this.#socket.send(datagram, () => undefined);
    return true;
  }

  #gatewaySends(): boolean {
    const direction = this.#media.direction;
    return direction === 'sendrecv' || direction === 'sendonly';
  }

  /**
   * Sends one frame of encoded audio covering `samples` RTP clock ticks, `gapSamples` after the
   * previous one ended (frames skipped in a stall: a new talkspurt, RFC 3551 §4.1).
   */
  sendAudio(payload: Uint8Array, samples: number, gapSamples = 0): void {
    if (this.#closed) return;
    if (gapSamples > 0) {
      this.#timestamp = (this.#timestamp + gapSamples) >>> 0;
      this.#startOfTalkspurt = true;
    }
    if (this.#gatewaySends()) {
      const packet = serializeRtpPacket({
        marker: this.#startOfTalkspurt,
        payloadType: this.#media.payloadType,
        sequenceNumber: this.#sequence,
        timestamp: this.#timestamp,
        ssrc: this.#ssrc,
        payload,
      });
      if (this.sendToCaller(packet)) this.emit('sent', payload);
    }
    this.#startOfTalkspurt = false;
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + samples) >>> 0;
  }

  /** The next frame starts a talkspurt (RTP marker bit), e.g. after a pause in playback. */
  markTalkspurt(): void {
    this.#startOfTalkspurt = true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
