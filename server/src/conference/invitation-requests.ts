import type { ConferenceInvitationView, ConferenceRole } from '@konferenz/shared';
import type { RequestHandlersFor } from './conference-requests';

/** What the invitation request needs from the conference service. */
export interface InvitationPort {
  invitation(roomNumber: string, role: ConferenceRole): Promise<ConferenceInvitationView>;
}

/** How to invite others, asked from inside the conference; what it contains depends on the asker's role. */
export function invitationRequests(port: InvitationPort): RequestHandlersFor<'conference:invitation'> {
  return {
    'conference:invitation': {
      access: 'admitted',
      handle: ({ live, participant }) => port.invitation(live.conference.roomNumber, participant.role),
    },
  };
}
