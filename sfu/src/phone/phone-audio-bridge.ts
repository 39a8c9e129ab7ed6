import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

import type { JitterBufferOptions } from './jitter-buffer';
import type { MixBridgeStats } from './mix-protocol';
import type { PhoneBridgeRoom } from './phone-bridge-room';
import { rtpClockRate, type PhoneCodec } from './phone-codec';
import type { MixBridgeLink, PhoneMixThreads } from './phone-mix-threads';
import { RoomAudioMix } from './room-audio-mix';
import { AUDIO_LEVEL_EXTENSION_URI, type RtpPacket } from './rtp-packet';
import type { RtpSession } from './rtp-session';

export interface PhoneAudioBridgeOptions {
  room: PhoneBridgeRoom;
  /** The caller's participant id: the room peer the bridge produces as. */
  peerId: string;
  /** The codec negotiated with the phone. */
  codec: PhoneCodec;
  /**
   * The call's RTP session, which owns the caller-facing socket (and closes it; the bridge never
   * does): the bridge takes its audio packets and sends the mix through it, so the mix goes only
   * where the session allows (an address that has sent RTP, not after ICMP unreachable).
   */
  caller: RtpSession;
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
  /** Where the room's mix runs (for the bridge that opens the room's mix). */
  mixThreads: PhoneMixThreads;
  /** How many speakers the room's mix mixes at once (for the bridge that opens the room's mix). Default 3. */
  maxSpeakers?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
}

export interface PhoneAudioBridgeEvents {
  close: [];
  /** The thread the room's mix ran on died: close the bridge and build a new one. */
  failed: [];
}

export interface PhoneAudioBridgeStats extends MixBridgeStats {
  /** Audio packets of another payload type than the bridge's codec (after a re-INVITE changed it). */
  otherPayloadType: number;
}

/** The Opus stream the bridge produces: dynamic payload type and the level extension id it uses. */
const PRODUCER_PAYLOAD_TYPE = 100;
const PRODUCER_AUDIO_LEVEL_ID = 1;

/**
 * One phone call's audio, bridged into a conference's media room.
 *
 * Caller -> room: the caller's audio packets come from the call's RtpSession
 * (latched to the first packet's source: symmetric RTP for phones behind
 * NAT), go through a jitter buffer and G.711 decode (or passes through as
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
 * The bridge itself only holds the room side (transport, producer, mute) and
 * the caller's socket side (its RtpSession): the caller's packets go to the
 * mix's thread (MixBridgeLink), where they are decoded and encoded on the
 * mix's clock, and what the thread made for the caller comes back to be sent.
 *
 * Nothing received from the network can throw out of the bridge: the
 * RtpSession drops what is not the caller's RTP, the bridge counts and drops
 * audio of another payload type, and the mix's thread counts what throws.
 */
export class PhoneAudioBridge extends EventEmitter<PhoneAudioBridgeEvents> {
  readonly peerId: string;
  readonly producerId: string;
  readonly #room: PhoneBridgeRoom;
  readonly #mix: RoomAudioMix;
  readonly #link: MixBridgeLink;
  readonly #caller: RtpSession;
  readonly #codec: PhoneCodec;
  #muted = false;
  #closed = false;
  #outputHeld = false;
  readonly #onCallerAudio = (packet: RtpPacket): void => this.#receiveFromCaller(packet);
  readonly #onMixFailed = (): void => {
    if (!this.#closed) this.emit('failed');
  };
  #otherPayloadType = 0;

  private constructor(init: { options: PhoneAudioBridgeOptions; mix: RoomAudioMix; link: MixBridgeLink; producerId: string }) {
    super();
    const { options } = init;
    this.peerId = options.peerId;
    this.#room = options.room;
    this.#mix = init.mix;
    this.#link = init.link;
    this.#codec = options.codec;
    this.#caller = options.caller;
    this.producerId = init.producerId;
    this.#caller.on('audio', this.#onCallerAudio);
    this.#mix.on('failed', this.#onMixFailed);
  }

  /**
   * Joins the room's mix (opening it for the room's first caller), opens the
   * caller's plain transport and producer in the room. The caller
   * hears silence until `hear` is first called (the server decides when: not
   * while the caller waits in the lobby).
   */
  static async create(options: PhoneAudioBridgeOptions): Promise<PhoneAudioBridge> {
    const { room, peerId } = options;
    let mix: RoomAudioMix | undefined;
    try {
      mix = await RoomAudioMix.acquire(room, {
        threads: options.mixThreads,
        maxSpeakers: options.maxSpeakers,
        jitter: options.jitter,
        mediaIp: options.mediaIp,
        mediaListenIp: options.mediaListenIp,
      });
      const transport = await room.createPlainTransport(peerId, { comedia: true });
      const mediaTarget = { ip: options.mediaIp ?? transport.ip, port: transport.port };
      const producerSsrc = randomBytes(4).readUInt32BE(0);
      const producerId = await room.produce(
        peerId,
        transport.id,
        'audio',
        {
          codecs: [{ mimeType: 'audio/opus', payloadType: PRODUCER_PAYLOAD_TYPE, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }],
          encodings: [{ ssrc: producerSsrc }],
          headerExtensions: [{ uri: AUDIO_LEVEL_EXTENSION_URI, id: PRODUCER_AUDIO_LEVEL_ID }],
          rtcp: { cname: `phone-${peerId}`, reducedSize: true },
        },
        { source: 'microphone' },
      );
      // The mix may make the caller's first packet before the bridge below exists.
      const toCaller: { send?: (payload: Buffer, skippedFrames: number) => void } = {};
      const link = await mix.openBridge(
        {
          codec: options.codec,
          producer: { payloadType: PRODUCER_PAYLOAD_TYPE, ssrc: producerSsrc, audioLevelExtensionId: PRODUCER_AUDIO_LEVEL_ID },
          ownStreamId: producerId,
          callerAudioLevelExtensionId: options.callerAudioLevelExtensionId,
          jitter: options.jitter,
          mediaTarget,
        },
        (payload, skipped) => toCaller.send?.(payload, skipped),
      );
      const bridge = new PhoneAudioBridge({ options, mix, link, producerId });
      toCaller.send = (payload, skipped) => bridge.#sendToCaller(payload, skipped);
      return bridge;
    } catch (error) {
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

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * While true, the mix is not sent to the caller (the phone application plays a prompt through
   * the same RtpSession instead); the room's mix goes on.
   */
  get outputHeld(): boolean {
    return this.#outputHeld;
  }

  set outputHeld(held: boolean) {
    // The room again after a prompt: a new talkspurt on the call's stream.
    if (this.#outputHeld && !held) this.#caller.markTalkspurt();
    this.#outputHeld = held;
  }

  /** The room's mix the caller hears (shared with the room's other callers): its stats. */
  get roomMix(): RoomAudioMix {
    return this.#mix;
  }

  async stats(): Promise<PhoneAudioBridgeStats> {
    return { otherPayloadType: this.#otherPayloadType, ...(await this.#link.stats()) };
  }

  /**
   * Lets the caller hear a producer of the room (another participant's
   * microphone) through the room's mix, and the room from now on. False for
   * the caller's own producer, and when the room will not have the producer
   * consumed.
   */
  async hear(producerId: string): Promise<boolean> {
    if (this.#closed || producerId === this.producerId) return false;
    this.#link.hearing();
    return this.#mix.hear(producerId);
  }

  /** Mutes the caller: its producer is paused in the room (so it leaves the mix) and the bridge stops encoding. */
  async setMuted(muted: boolean): Promise<void> {
    if (this.#closed) return;
    this.#muted = muted;
    this.#link.muted(muted);
    await this.#room.setProducerPaused(this.producerId, muted);
  }

  /** Leaves the room's mix and the caller's RTP session, and takes the caller's peer out of the room's media. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#caller.off('audio', this.#onCallerAudio);
    this.#mix.off('failed', this.#onMixFailed);
    this.#mix.bridgeClosed(this.#link);
    this.#mix.release();
    try {
      this.#room.closePeer(this.peerId);
    } catch {
      // A closed room has no peers left to close.
    }
    this.emit('close');
  }

  #receiveFromCaller(packet: RtpPacket): void {
    if (this.#closed) return;
    if (packet.payloadType !== this.#codec.payloadType) {
      this.#otherPayloadType++;
      return;
    }
    this.#link.forward(packet, performance.now());
  }

  /** One frame of the mix into the call's RTP stream (the prompts' too: one SSRC for the caller); a stall leaves a gap in time. */
  #sendToCaller(payload: Buffer, skippedFrames: number): void {
    if (this.#closed || this.#outputHeld) return;
    const samples = rtpClockRate(this.#codec) / 50;
    this.#caller.sendAudio(payload, samples, skippedFrames * samples);
  }
}
