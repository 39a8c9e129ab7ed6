import type { Conference } from './conference';
import type { RoomMediaSession } from './room-media-session';

/** One running conference: its rules and bookkeeping, and its media once someone needed them. */
export interface LiveConference {
  conference: Conference;
  media?: Promise<RoomMediaSession>;
}
