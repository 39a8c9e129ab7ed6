import type { RequestHandlers } from './conference-requests';
import { mediaRequests, type MediaOf } from './media-requests';
import { moderationRequests, type ModerationPort } from './moderation-requests';

/** What the requests need from the conference service. */
export interface ConferenceRequestPort extends ModerationPort {
  mediaOf: MediaOf;
  /** The participant leaves for good (not a dropped connection): their conference goes on without them. */
  leave(participantId: string): Promise<void>;
}

/** The whole request table: every request name of the shared protocol, each with its handler. */
export function conferenceRequestTable(port: ConferenceRequestPort): RequestHandlers {
  return {
    ...mediaRequests(port.mediaOf),
    ...moderationRequests(port),
    'conference:leave': {
      access: 'present',
      handle: async ({ participant }) => {
        await port.leave(participant.id);
        return {};
      },
    },
  };
}
