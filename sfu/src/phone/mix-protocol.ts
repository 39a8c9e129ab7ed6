import type { CallerToConferenceStats, ConferenceStreamParameters } from './caller-to-conference';
import type { JitterBufferOptions } from './jitter-buffer';
import type { PhoneCodec } from './phone-codec';
import type { ConferenceStream, RoomMixCounters, RoomMixStats } from './room-mix-engine';
import type { RtpAddress } from './udp';

/**
 * The messages between the server's thread, which owns the calls, the rooms
 * and the callers' sockets, and a phone mix thread (PhoneMixRunner), which
 * owns every room mix placed on it: the sockets toward the room, the clock,
 * and all the codec work. Plain data only (structured clone).
 */

type Jitter = Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;

export interface MixSpec {
  mixId: number;
  /** The mix's plain transport in the room (comedia): the mix's socket sends its RTCP there. */
  target: RtpAddress;
  listenIp: string;
  maxSpeakers?: number;
  jitter?: Jitter;
}

export interface MixBridgeSpec {
  bridgeId: number;
  mixId: number;
  codec: PhoneCodec;
  /** The Opus stream the bridge produces into the room. */
  producer: ConferenceStreamParameters;
  /** The caller's own stream in the mix (its producer id): never in what the caller hears. */
  ownStreamId: string;
  callerAudioLevelExtensionId?: number;
  jitter?: Jitter;
  /** The caller's plain transport in the room, where the bridge's socket sends the caller's voice. */
  mediaTarget: RtpAddress;
  listenIp: string;
}

/** A caller's audio packet as the call's RtpSession received it, for the caller's bridge. */
export interface CallerPacket {
  bridgeId: number;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** The value of the caller's RFC 6464 extension element, when the bridge reads one. */
  audioLevel?: Uint8Array;
  payload: Uint8Array;
  /** Arrival, as `performance.timeOrigin + performance.now()` (threads have different time origins). */
  arrivalEpochMs: number;
}

export interface MixBridgeStats {
  callerToConference: CallerToConferenceStats;
  /** Packets of the mix made for the caller (sent, or dropped while the output is held). */
  packetsToCaller: number;
  /** Ticks that threw (a bug); the bridge carries on. */
  tickErrors: number;
}

export interface RoomAudioMixCounters extends RoomMixCounters {
  /** Datagrams from the room dropped before the mix, by cause. */
  dropped: { malformed: number; rtcp: number; foreignSource: number };
  /** Frames that threw (a bug); the clock carries on. */
  frameErrors: number;
}

/** What the mix did since the previous `takeStats`, and which thread did it. */
export interface PhoneMixStats extends RoomMixStats {
  /** The worker_threads id of the thread that mixes (0: the main thread). */
  threadId: number;
}

/** Requests: each gets one `reply` with the same `call`. */
export type MixRequest =
  | { type: 'openMix'; spec: MixSpec }
  | { type: 'openBridge'; spec: MixBridgeSpec }
  | { type: 'takeStats'; mixId: number }
  | { type: 'counters'; mixId: number }
  | { type: 'bridgeStats'; bridgeId: number };

/** Notices: no answer. */
export type MixNotice =
  | { type: 'closeMix'; mixId: number }
  | { type: 'addStream'; mixId: number; stream: ConferenceStream }
  | { type: 'removeStream'; mixId: number; streamId: string }
  /** The room's media are gone (reset or closed): every stream at once. */
  | { type: 'clearStreams'; mixId: number }
  | { type: 'closeBridge'; bridgeId: number }
  | { type: 'bridgeHearing'; bridgeId: number }
  | { type: 'bridgeMuted'; bridgeId: number; muted: boolean }
  | { type: 'callerPackets'; packets: CallerPacket[] };

export type ToMixThread = (MixRequest & { call: number }) | MixNotice;

/** A frame of the mix for one caller: its payload, and the frames the mix's clock skipped just before (a stall). */
export type ToCaller = [bridgeId: number, payload: Uint8Array, skippedFrames: number];

export type FromMixThread =
  | { type: 'reply'; call: number; result?: unknown; error?: string }
  /** The mix's frames for callers, as they were made (batched per event-loop turn). */
  | { type: 'toCallers'; packets: ToCaller[] };

export type MixReplies = {
  openMix: void;
  openBridge: void;
  takeStats: PhoneMixStats;
  counters: RoomAudioMixCounters;
  bridgeStats: MixBridgeStats;
};
