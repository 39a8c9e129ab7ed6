import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { DtmfDigit } from '@konferenz/sip';
import { Rfc4733Receiver } from './rfc4733-receiver';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from './rtp-packet';
import type { NegotiatedAudio } from '@konferenz/sip';

/** RFC 3389 comfort noise: a caller with silence suppression may send only this while quiet. */
const COMFORT_NOISE = 13;

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionEvents {
  /** The first packet from the caller arrived: from now on RTP goes to where it came from. */
  latched: [remote: RtpEndpoint];
  /** ICMP port unreachable from the caller's address: nothing is sent any more. */
  unreachable: [];
  audio: [packet: RtpPacket];
  dtmf: [digit: DtmfDigit];
}

/**
 * One call's RTP socket, with symmetric RTP (RFC 4961) as the only way out: nothing is sent
 * until the caller's first RTP packet arrives, and then only to where it came from. The address
 * in the caller's SDP is never sent to: anyone can write any address there (or spoof the INVITE),
 * and a gateway that streams prompts to it is an amplifier aimed at a third party. Latching
 * connects the socket to the caller, so the kernel drops packets from anywhere else and reports
 * ICMP port unreachable, which stops all sending ('unreachable'). Telephone-events are turned
 * into DTMF digits; audio packets of the negotiated payload type are passed on; any RTP or RTCP
 * from the caller counts as a sign of life (`silentForMs`).
 */
export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly #socket: Socket;
  readonly #ssrc = randomInt(1, 2 ** 32 - 1);
  #sequence = randomInt(0, 2 ** 16);
  #timestamp = randomInt(0, 2 ** 32 - 1);
  #media: NegotiatedAudio;
  #latched?: RtpEndpoint;
  /** The socket is connected to the latched address (connecting takes a moment). */
  #connected = false;
  #connecting = false;
  #unreachable = false;
  #lastHeardMs = performance.now();
  #dtmf: Rfc4733Receiver;
  #startOfTalkspurt = true;
  #closed = false;

  private constructor(socket: Socket, media: NegotiatedAudio) {
    super();
    this.#socket = socket;
    this.#media = media;
    this.#dtmf = new Rfc4733Receiver((digit) => this.emit('dtmf', digit));
    socket.on('message', (data, from) => this.#receive(data, from));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNREFUSED' || this.#unreachable || this.#closed) return;
      this.#unreachable = true;
      this.emit('unreachable');
    });
  }

  /** Binds a UDP port on `host` (0: any free port) for a call. */
  static async open(host: string, port: number, media: NegotiatedAudio): Promise<RtpSession> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpSession(socket, media);
  }

  /** The call's one caller-facing socket, shared with the phone audio bridge once the caller is in the conference. */
  get socket(): Socket {
    return this.#socket;
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  get media(): NegotiatedAudio {
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
  update(media: NegotiatedAudio): void {
    const previous = this.#media;
    const callerSent = this.callerSends;
    this.#media = media;
    // Back from hold (or told to send again): the silence timeout starts afresh.
    if (!callerSent && this.callerSends) this.#lastHeardMs = performance.now();
    const moved = media.remoteAddress !== previous.remoteAddress || media.remotePort !== previous.remotePort;
    if (moved && media.remoteAddress !== '0.0.0.0') this.#unlatch();
    if (media.telephoneEventPayloadType !== previous.telephoneEventPayloadType) {
      this.#dtmf = new Rfc4733Receiver((digit) => this.emit('dtmf', digit));
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
    const packet = parseRtpPacket(data);
    if (!packet) return;
    if (!this.#latched) {
      // A connect to an address given up meanwhile is still under way: the next packet latches.
      if (this.#connecting) return;
      // Only RTP the call negotiated (or comfort noise) proves an address; RTCP comes from another port without rtcp-mux.
      const known = packet.payloadType === this.#media.payloadType || packet.payloadType === this.#media.telephoneEventPayloadType || packet.payloadType === COMFORT_NOISE;
      if (!known) return;
      this.#latch(from);
      this.#lastHeardMs = performance.now();
    } else if (!fromCaller) {
      return;
    }
    const known = packet.payloadType === this.#media.payloadType || packet.payloadType === this.#media.telephoneEventPayloadType;
    if (!known) return;
    if (packet.payloadType === this.#media.telephoneEventPayloadType) {
      this.#dtmf.receive(packet);
      return;
    }
    this.emit('audio', packet);
  }

  /**
   * Sends a datagram to the caller (the audio bridge's mix goes out this way too): only once the
   * caller has proved its address, and never after ICMP said nobody listens there.
   */
  sendToCaller(datagram: Buffer): boolean {
    if (this.#closed || !this.#connected || this.#unreachable) return false;
    this.#socket.send(datagram, () => undefined);
    return true;
  }

  /** Sends one frame of encoded audio covering `samples` RTP clock ticks. */
  sendAudio(payload: Buffer, samples: number): void {
    if (this.#closed) return;
    const direction = this.#media.direction;
    const gatewaySends = direction === 'sendrecv' || direction === 'sendonly';
    if (gatewaySends) {
      const packet = serializeRtpPacket({
        marker: this.#startOfTalkspurt,
        payloadType: this.#media.payloadType,
        sequenceNumber: this.#sequence,
        timestamp: this.#timestamp,
        ssrc: this.#ssrc,
        payload,
      });
      this.sendToCaller(packet);
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
