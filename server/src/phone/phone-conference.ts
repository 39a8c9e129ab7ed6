import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses, ParticipantAttributes } from '@konferenz/shared';
import type { PhoneBridgeRoom } from '@konferenz/sfu';
import type { ConferenceEvent } from '../conference/conference-events';
import type { MediaListener } from '../conference/room-media-session';

/** What a seated caller hears from its conference. */
export interface PhoneConferenceListener {
  event(event: ConferenceEvent): void;
  /** The caller's own attributes as the conference shows them (for the keypad's toggles). */
  attributes(attributes: ParticipantAttributes): void;
  /** The conference let go of the caller without an `ended` (replaced by a newer connection): the call ends. */
  closed(): void;
  /** The conference cannot be reached any more (its node died or stopped): the caller is to be seated wherever it runs now. */
  lost(): void;
}

/**
 * One caller's way into the conference of its room, wherever that runs: on this node
 * (LocalPhoneConference, straight to ConferenceService) or on another (RemotePhoneConference,
 * over the phone link). PhoneParticipant sees no difference.
 */
export interface PhoneConference {
  /** Where the conference runs: 'local', or the owner node's URL. */
  readonly location: string;
  join(listener: PhoneConferenceListener): Promise<void>;
  request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]>;
  participantCount(): Promise<number>;
  isLocked(): Promise<boolean>;
  /** The room the caller's audio bridge works on (the caller must be admitted). */
  mediaRoom(): Promise<PhoneBridgeRoom>;
  attachMediaListener(listener: MediaListener): Promise<void>;
  detachMediaListener(listener: MediaListener): void;
  /** This way in is done with (the call ended, or the conference moved): nothing more is heard from it. */
  close(): void;
}
