import type { JoinClaims } from './join-token';

export const CONFERENCE_MARKS = Symbol('CONFERENCE_MARKS');

/**
 * The moderators' decisions that must survive a restart (and, with several server nodes, be
 * seen by all of them): who was removed, when a room's conference ended, which rooms are locked.
 * A write that cannot be stored rejects with SERVICE_UNAVAILABLE, so the moderator learns that
 * the action did not happen instead of it silently not lasting.
 */
export interface ConferenceMarks {
  /** The participant's tokens no longer let anyone in. */
  markRemoved(roomNumber: string, participantId: string): Promise<void>;
  /** Tokens for the room issued up to now no longer let anyone in. */
  markEnded(roomNumber: string): Promise<void>;
  setLocked(roomNumber: string, locked: boolean): Promise<void>;
  /** The server still holds these rooms' conferences locked: keeps their locks from expiring. */
  confirmLocked(roomNumbers: string[]): Promise<void>;
  /** False when the token's holder was removed or its room's conference ended after it was issued. */
  admits(claims: JoinClaims): Promise<boolean>;
  isLocked(roomNumber: string): Promise<boolean>;
}
