import { invitationText, type ConferenceInvitationView, type Language } from '@konferenz/shared';

/** What the invite dialog offers to copy: always the link; the whole invitation only when the server gave a moderator's. */
export interface InvitationContent {
  link: string;
  text: string | null;
}

export function invitationContent(language: Language, invitation: ConferenceInvitationView): InvitationContent {
  const { roomNumber, joinUrl, forModerators } = invitation;
  return { link: joinUrl, text: forModerators && invitationText(language, { roomNumber, joinUrl, ...forModerators }) };
}
