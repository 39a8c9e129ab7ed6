import type { DialInView } from '../schemas/views';

/**
 * The answer to `conference:invitation`: what the asking participant may pass on. Read when asked,
 * so a participant PIN changed in the account during the conference is the one shown.
 */
export interface ConferenceInvitationView {
  roomNumber: string;
  /** The join page with the room filled in (`/join?room=`). */
  joinUrl: string;
  /** Moderators only; null for guests, who pass on the link and never receive the participant PIN. */
  forModerators: { participantPin: string | null; dialIn: DialInView } | null;
}
