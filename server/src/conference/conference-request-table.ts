import { chatRequests, type ChatPort } from './chat-requests';
import type { RequestHandlers } from './conference-requests';
import { invitationRequests, type InvitationPort } from './invitation-requests';
import { mediaRequests, type MediaOf } from './media-requests';
import { moderationRequests, type ModerationPort } from './moderation-requests';
import { participantRequests, type ParticipantPort } from './participant-requests';

/** What the requests need from the conference service. */
export interface ConferenceRequestPort extends ModerationPort, ParticipantPort, ChatPort, InvitationPort {
  mediaOf: MediaOf;
}

/** The whole request table: every request name of the shared protocol, each with its handler. */
export function conferenceRequestTable(port: ConferenceRequestPort): RequestHandlers {
  return {
    ...mediaRequests(port.mediaOf),
    ...moderationRequests(port),
    ...participantRequests(port),
    ...chatRequests(port),
    ...invitationRequests(port),
  };
}
