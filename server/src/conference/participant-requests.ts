import type { RequestHandlersFor } from './conference-requests';
import type { LiveConference } from './live-conference';
import { patchAttributes } from './participant-attributes';

/** What a participant's own requests need from the conference service. */
export interface ParticipantPort {
  /** The participant leaves for good (not a dropped connection): their conference goes on without them. */
  leave(participantId: string): Promise<void>;
  broadcast(live: LiveConference): void;
}

/** The requests a participant makes about themselves. */
export function participantRequests(port: ParticipantPort): RequestHandlersFor<'conference:leave' | 'participant:setAttributes'> {
  return {
    'conference:leave': {
      access: 'present',
      handle: async ({ participant }) => {
        await port.leave(participant.id);
        return {};
      },
    },
    'participant:setAttributes': {
      access: 'admitted',
      handle: async ({ live, participant }, { attributes }) => {
        participant.attributes = patchAttributes(participant.attributes, attributes);
        port.broadcast(live);
        return {};
      },
    },
  };
}
