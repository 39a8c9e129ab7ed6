import type { Conference } from './conference';
import type { ConferenceChat } from './conference-chat';
import type { RoomMediaSession } from './room-media-session';

/** One running conference: its rules and bookkeeping, and its media once someone needed them. */
export interface LiveConference {
  conference: Conference;
  chat: ConferenceChat;
  media?: Promise<RoomMediaSession>;
}
