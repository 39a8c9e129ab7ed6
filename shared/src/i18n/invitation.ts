import type { Language } from '../constants/languages';
import { formatRoomNumber } from '../rules/room-number';
import type { DialInView } from '../schemas/views';
import { translate } from './translate';

/** What an invitation says: the account page's card and the invite dialog in the conference build it from this. */
export interface InvitationDetails {
  roomNumber: string;
  /** Empty in the text when it cannot be shown (not set up, or not decryptable). */
  participantPin: string | null;
  joinUrl: string;
  dialIn: DialInView;
}

/** The full invitation to copy and send: room number, participant PIN, dial-in lines and the join link. */
export function invitationText(language: Language, invitation: InvitationDetails): string {
  return translate(language, 'invitation.text', {
    roomNumber: formatRoomNumber(invitation.roomNumber),
    participantPin: invitation.participantPin ?? '',
    joinUrl: invitation.joinUrl,
    dialIn: invitationDialIn(language, invitation.dialIn),
  });
}

/**
 * The dial-in lines of the invitation (`{dialIn}` in `invitation.text`): the numbers, the SIP URI and how to
 * confirm, then a blank line; empty when neither is configured, so the invitation reads as before.
 */
export function invitationDialIn(language: Language, dialIn: DialInView): string {
  const lines: string[] = [];
  if (dialIn.numbers.length > 0) lines.push(translate(language, 'invitation.dialIn.numbers', { numbers: dialIn.numbers.join(', ') }));
  if (dialIn.sipUri) lines.push(translate(language, 'invitation.dialIn.sip', { sipUri: dialIn.sipUri }));
  if (lines.length === 0) return '';
  lines.push(translate(language, 'invitation.dialIn.confirm'));
  return `${lines.join('\n')}\n\n`;
}
