import { z } from 'zod';
import type { ErrorResponse } from '../errors/error-code';
import { participantAttributesPatchSchema, type ParticipantAttributes } from './attributes';
import { chatTextSchema, type ChatMessageView } from './chat';
import type { ConferenceInvitationView } from './invitation';
import { MEDIA_SOURCES, type ConferenceRole, type MediaSource, type ParticipantState } from './roles';
import type { RoomSettings } from './room-settings';

/** The Socket.IO namespace browsers connect to, presenting their join token in `auth.token`. */
export const CONFERENCE_NAMESPACE = '/conference';

/**
 * The handshake's `auth`. `prepare: true`: the join page connects while the device check shows,
 * and the participant arrives in the conference only with `conference:enter` (the join click);
 * until then the socket is authenticated but nobody sees it and it receives nothing.
 */
export interface ConferenceSocketAuth {
  token: string;
  prepare?: boolean;
}

/**
 * mediasoup's own parameter objects are validated deeply by mediasoup itself; here they are
 * checked for shape and size so nothing else (a string, a huge array) ever reaches it.
 */
const mediaObject = z.looseObject({}).refine((value) => JSON.stringify(value).length < 16_384, 'validation.tooLong');
const id = z.string().min(1).max(64);

const rtpParameters = z.looseObject({
  codecs: z
    .array(z.looseObject({ mimeType: z.string().max(64), payloadType: z.number().int(), clockRate: z.number().int() }))
    .min(1)
    .max(16),
  encodings: z.array(mediaObject).max(8).optional(),
});

/** Every request the client sends, by event name, with its payload schema. Each is acknowledged. */
export const conferenceRequestSchemas = {
  'media:rtpCapabilities': z.object({}),
  'media:setRtpCapabilities': z.object({ rtpCapabilities: mediaObject }),
  'media:createTransport': z.object({ direction: z.enum(['send', 'recv']) }),
  'media:connectTransport': z.object({ transportId: id, dtlsParameters: mediaObject }),
  'media:restartIce': z.object({ transportId: id }),
  'media:produce': z.object({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters,
    source: z.enum(MEDIA_SOURCES),
  }),
  'media:closeProducer': z.object({ producerId: id }),
  'media:setProducerPaused': z.object({ producerId: id, paused: z.boolean() }),
  'media:resumeConsumer': z.object({ consumerId: id }),
  'media:setConsumerSize': z.object({
    consumerId: id,
    width: z.number().int().min(0).max(10_000),
    height: z.number().int().min(0).max(10_000),
  }),
  'moderator:mute': z.object({ participantId: id }),
  'moderator:muteAll': z.object({}),
  'moderator:remove': z.object({ participantId: id }),
  'moderator:setLocked': z.object({ locked: z.boolean() }),
  'moderator:admit': z.object({ participantId: id }),
  'moderator:admitAll': z.object({}),
  'moderator:end': z.object({}),
  /** Removes every attribute of a participant (waiting or admitted). */
  'moderator:clearAttributes': z.object({ participantId: id }),
  /** Turns the room's chat on or off for everyone (moderators can always read what was sent). */
  'moderator:setChatEnabled': z.object({ enabled: z.boolean() }),
  'conference:leave': z.object({}),
  /** How to invite others (ConferenceInvitationView): the full invitation for moderators, the link for guests; admitted participants only. */
  'conference:invitation': z.object({}),
  /** Changes the sender's own attributes (see participantAttributesPatchSchema); admitted participants only. */
  'participant:setAttributes': z.object({ attributes: participantAttributesPatchSchema }),
  /** A chat message to everyone inside; admitted participants only, while the chat is on, rate-limited per participant. */
  'chat:send': z.object({ text: chatTextSchema }),
} as const;

export type ConferenceRequestName = keyof typeof conferenceRequestSchemas;
/** The requests only a moderator may make (the server checks the role). */
export type ModeratorRequestName = Extract<ConferenceRequestName, `moderator:${string}`>;
export type ConferenceRequest<N extends ConferenceRequestName> = z.infer<(typeof conferenceRequestSchemas)[N]>;

/** Opaque mediasoup JSON (RtpCapabilities, IceParameters, ...): typed by mediasoup and mediasoup-client. */
export type MediaJson = Record<string, unknown>;

export interface TransportOptionsView {
  id: string;
  iceParameters: MediaJson;
  iceCandidates: MediaJson[];
  dtlsParameters: MediaJson;
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
}

type Empty = Record<string, never>;

/** What each request answers with when it succeeds. */
export interface ConferenceResponses {
  'media:rtpCapabilities': { rtpCapabilities: MediaJson };
  'media:setRtpCapabilities': Empty;
  'media:createTransport': TransportOptionsView;
  'media:connectTransport': Empty;
  'media:restartIce': { iceParameters: MediaJson };
  'media:produce': { producerId: string };
  'media:closeProducer': Empty;
  'media:setProducerPaused': Empty;
  'media:resumeConsumer': Empty;
  'media:setConsumerSize': Empty;
  'moderator:mute': Empty;
  'moderator:muteAll': Empty;
  'moderator:remove': Empty;
  'moderator:setLocked': Empty;
  'moderator:admit': Empty;
  'moderator:admitAll': Empty;
  'moderator:end': Empty;
  'moderator:clearAttributes': Empty;
  'moderator:setChatEnabled': Empty;
  'conference:leave': Empty;
  'conference:invitation': ConferenceInvitationView;
  'participant:setAttributes': Empty;
  'chat:send': { id: string };
}

export type SocketResult<T> = { ok: true; data: T } | { ok: false; error: ErrorResponse };

export type ClientToServerEvents = {
  [N in ConferenceRequestName]: (payload: ConferenceRequest<N>, ack: (result: SocketResult<ConferenceResponses[N]>) => void) => void;
} & {
  /** A prepared socket's participant arrives (see ConferenceSocketAuth); answered once they are seated. */
  'conference:enter': (payload: Empty, ack: (result: SocketResult<Empty>) => void) => void;
};

export interface ParticipantView {
  id: string;
  displayName: string;
  role: ConferenceRole;
  state: ParticipantState;
  via: 'browser' | 'phone';
  /** Whether each source is being sent, and whether it is paused (muted). */
  microphone: 'none' | 'on' | 'muted';
  camera: 'none' | 'on' | 'off';
  screen: boolean;
  /** Muted by a moderator: only the participant can unmute, and the UI says who muted them. */
  mutedByModerator: boolean;
  /** Entered muted by the room's setting (muteOnEntry), until they unmute themselves: the UI says why. */
  mutedOnEntry: boolean;
  /** False while a dropped connection may still come back (the grace period before they count as gone). */
  connected: boolean;
  /** What the participant set on themselves (participant:setAttributes); a moderator may clear it. */
  attributes: ParticipantAttributes;
}

export interface ConferenceStateView {
  roomNumber: string;
  self: ParticipantView;
  /** Admitted participants, self included. Empty for someone still waiting. */
  participants: ParticipantView[];
  /** The waiting list, for moderators; others only see the count. */
  waiting: ParticipantView[];
  waitingCount: number;
  moderatorPresent: boolean;
  locked: boolean;
  /** After a moderator removed someone, newcomers wait for a moderator to admit them. */
  screeningNewcomers: boolean;
  activeSpeakerId: string | null;
  /** For moderators, so the panel can explain what admission and leaving do. */
  settings: RoomSettings | null;
  /**
   * How many others' cameras a browser shows at once: those who spoke last (the rest show their
   * name, and their video is not forwarded). The server's VIDEO_LAST_N.
   */
  videoLastN: number;
  /** Whether the room's chat is on (a moderator can turn it off). */
  chatEnabled: boolean;
}

export const CONFERENCE_END_REASONS = ['ended-by-moderator', 'moderator-left', 'removed', 'left', 'room-locked', 'error'] as const;
export type ConferenceEndReason = (typeof CONFERENCE_END_REASONS)[number];

export interface NewConsumerView {
  consumerId: string;
  producerId: string;
  participantId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: MediaJson;
  producerPaused: boolean;
}

export interface ServerToClientEvents {
  'conference:state': (state: ConferenceStateView) => void;
  'conference:ended': (event: { reason: ConferenceEndReason }) => void;
  /** A fresh join token, sent well before the current one expires, so a reload late in a long conference still rejoins. */
  'conference:token': (renewal: { token: string; expiresAt: string }) => void;
  /** A new chat message, to everyone inside (phones excepted). */
  'chat:message': (message: ChatMessageView) => void;
  /** The conference's chat so far (up to CHAT_HISTORY_LIMIT), on entering; the client merges it by id. */
  'chat:history': (event: { messages: ChatMessageView[] }) => void;
  'media:newConsumer': (consumer: NewConsumerView) => void;
  'media:consumerClosed': (event: { consumerId: string }) => void;
  'media:consumerPaused': (event: { consumerId: string; paused: boolean }) => void;
  'media:activeSpeaker': (event: { participantId: string | null }) => void;
  /** The media server restarted this conference's router: create transports and producers anew. */
  'media:reset': () => void;
  /**
   * The server is stopping, usually to restart: the connection closes right after. The
   * conference is not over: reconnect with the same token until the server is back.
   */
  'server:shutdown': () => void;
  /**
   * Another node runs this conference now (this one lost its claim on the room): the connection
   * closes right after; connect again through the front door (PUBLIC_URL), which sends the socket on.
   */
  'conference:moved': () => void;
}
