import type { ConferenceRequestName, ParticipantAttributes, SocketResult } from '@konferenz/shared';
import type { ConsumerInfo, PhoneBridgeRoom, PlainTransportInfo } from '@konferenz/sfu';
import type { ConferenceEvent } from '../../conference/conference-events';

/**
 * The phone link: how a node that answered a call seats the caller in a conference another node
 * runs. One Socket.IO connection per call, from the answering node to the owner's
 * `${NODE_PUBLIC_URL}/phone-link`, authenticated by the caller's join token and the node proof
 * (NodeLinkKey). Conference requests and news travel over it as they would inside one process;
 * the caller's audio does not: it goes as RTP between the two nodes' plain transports.
 */
export const PHONE_LINK_NAMESPACE = '/phone-link';

/** The media room operations a phone bridge and its room mix make (PhoneBridgeRoom's methods). */
export const ROOM_METHODS = ['setRtpCapabilities', 'createPlainTransport', 'produce', 'setProducerPaused', 'consume', 'resumeConsumer', 'closePeer'] as const;
export type RoomMethod = (typeof ROOM_METHODS)[number];

export interface RoomMethodResults {
  setRtpCapabilities: void;
  createPlainTransport: PlainTransportInfo;
  produce: string;
  setProducerPaused: void;
  consume: ConsumerInfo | null;
  resumeConsumer: void;
  closePeer: void;
}

export type RoomArguments<M extends RoomMethod> = Parameters<PhoneBridgeRoom[M]>;

/** The room a link's bridge works on; `generation` names it in later calls and events (a reset media room is a new one). */
export interface LinkedRoom {
  generation: number;
  rtpCapabilities: PhoneBridgeRoom['rtpCapabilities'];
}

export type LinkAck<T> = (result: SocketResult<T>) => void;

/** From the node that answered the call to the node that runs the conference. */
export interface PhoneLinkRequests {
  'conference:join': (ack: LinkAck<null>) => void;
  'conference:request': (name: ConferenceRequestName, payload: unknown, ack: LinkAck<unknown>) => void;
  'conference:participantCount': (ack: LinkAck<number>) => void;
  'conference:isLocked': (ack: LinkAck<boolean>) => void;
  'media:room': (ack: LinkAck<LinkedRoom>) => void;
  'media:attach': (ack: LinkAck<null>) => void;
  'media:detach': () => void;
  'room:call': (generation: number, method: RoomMethod, args: unknown[], ack: LinkAck<unknown>) => void;
}

export type RoomEvent = { type: 'consumerClosed'; peerId: string; consumerId: string } | { type: 'reset' } | { type: 'close' };

/** From the node that runs the conference to the node that answered the call. */
export interface PhoneLinkNews {
  'conference:event': (event: ConferenceEvent) => void;
  'conference:attributes': (attributes: ParticipantAttributes) => void;
  /** The conference let go of the caller (removed, replaced); the link closes right after. */
  'conference:closed': () => void;
  'room:event': (generation: number, event: RoomEvent) => void;
  /** The room has a new microphone for the caller's bridge to hear: true when the bridge took it. */
  'listener:hear': (producerId: string, ack: (heard: boolean) => void) => void;
}

export interface PhoneLinkAuth {
  token: string;
  proof: string;
}
