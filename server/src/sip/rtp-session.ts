import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { DtmfDigit } from '@konferenz/shared';
import { Rfc4733Receiver } from './rfc4733-receiver';
import { parseRtpPacket, serializeRtpPacket, type RtpPacket } from './rtp-packet';
import type { NegotiatedAudio } from './sdp-negotiation';

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionEvents {
  /** The first packet from the caller arrived: from now on RTP goes to where it came from. */
  latched: [remote: RtpEndpoint];
  audio: [packet: RtpPacket];
  dtmf: [digit: DtmfDigit];
}

/**
 * One call's RTP socket while the gateway itself talks to the caller (the phone menu), with
 * symmetric RTP (RFC 4961): until the caller's first packet arrives, audio goes to the address
 * in its SDP; the first valid packet latches the session to its source, which is what works
 * behind NAT, and packets from anywhere else are ignored from then on. Telephone-events are
 * turned into DTMF digits; audio packets of the negotiated payload type are passed on.
 */
export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly #socket: Socket;
  readonly #ssrc = randomInt(1, 2 ** 32 - 1);
  #sequence = randomInt(0, 2 ** 16);
  #timestamp = randomInt(0, 2 ** 32 - 1);
  #media: NegotiatedAudio;
  #remote: RtpEndpoint;
  #latched?: RtpEndpoint;
  #dtmf: Rfc4733Receiver;
  #startOfTalkspurt = true;
  #closed = false;

  private constructor(socket: Socket, media: NegotiatedAudio) {
    super();
    this.#socket = socket;
    this.#media = media;
    this.#remote = { address: media.remoteAddress, port: media.remotePort };
    this.#dtmf = new Rfc4733Receiver((digit) => this.emit('dtmf', digit));
    socket.on('message', (data, from) => this.#receive(data, from));
    socket.on('error', () => undefined);
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

  get remote(): RtpEndpoint {
    return this.#latched ?? this.#remote;
  }

  /**
   * After a re-INVITE: the new codec and direction apply; a new address in the SDP means the
   * caller moved (or resumed from hold), so the session latches afresh.
   */
  update(media: NegotiatedAudio): void {
    const previous = this.#media;
    this.#media = media;
    const moved = media.remoteAddress !== previous.remoteAddress || media.remotePort !== previous.remotePort;
    if (moved && media.remoteAddress !== '0.0.0.0') {
      this.#remote = { address: media.remoteAddress, port: media.remotePort };
      this.#latched = undefined;
    }
    if (media.telephoneEventPayloadType !== previous.telephoneEventPayloadType) {
      this.#dtmf = new Rfc4733Receiver((digit) => this.emit('dtmf', digit));
    }
  }

  #receive(data: Buffer, from: RemoteInfo): void {
    if (this.#closed) return;
    const packet = parseRtpPacket(data);
    if (!packet) return;
    const known = packet.payloadType === this.#media.payloadType || packet.payloadType === this.#media.telephoneEventPayloadType;
    if (!known) return;
    if (this.#latched) {
      if (from.address !== this.#latched.address || from.port !== this.#latched.port) return;
    } else {
      this.#latched = { address: from.address, port: from.port };
      this.emit('latched', this.#latched);
    }
    if (packet.payloadType === this.#media.telephoneEventPayloadType) {
      this.#dtmf.receive(packet);
      return;
    }
    this.emit('audio', packet);
  }

  /** Sends one frame of encoded audio covering `samples` RTP clock ticks. */
  sendAudio(payload: Buffer, samples: number): void {
    if (this.#closed) return;
    const direction = this.#media.direction;
    const target = this.remote;
    const gatewaySends = direction === 'sendrecv' || direction === 'sendonly';
    if (gatewaySends && target.address !== '0.0.0.0' && target.port !== 0) {
      const packet = serializeRtpPacket({
        marker: this.#startOfTalkspurt,
        payloadType: this.#media.payloadType,
        sequenceNumber: this.#sequence,
        timestamp: this.#timestamp,
        ssrc: this.#ssrc,
        payload,
      });
      this.#socket.send(packet, target.port, target.address, () => undefined);
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
