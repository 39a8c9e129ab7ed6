import type { ConferenceEndReason, ModeratorRequestName } from '@konferenz/shared';
import type { Participant } from './conference';
import type { ConferenceMarks } from './conference-marks';
import type { RequestHandlersFor } from './conference-requests';
import type { LiveConference } from './live-conference';

/** What the moderator's controls do to a conference beyond its own rules: the service provides it. */
export interface ModerationPort {
  readonly marks: ConferenceMarks;
  mute(live: LiveConference, participant: Participant): Promise<void>;
  remove(participantId: string, reason: ConferenceEndReason): Promise<void>;
  end(live: LiveConference, reason: ConferenceEndReason): Promise<void>;
  broadcast(live: LiveConference): void;
  /** Tells participants just let in from the waiting room. */
  admitted(live: LiveConference, participants: Participant[]): void;
}

/**
 * The moderator's controls. What must outlive the process (a removal, an end, a lock) is stored
 * in the marks before anything happens: if it cannot be, the moderator is told and nothing changes.
 */
export function moderationRequests(port: ModerationPort): RequestHandlersFor<Exclude<ModeratorRequestName, 'moderator:setChatEnabled'>> {
  return {
    'moderator:mute': {
      access: 'moderator',
      handle: async ({ live }, { participantId }) => {
        const target = live.conference.find(participantId);
        if (target) await port.mute(live, target);
        port.broadcast(live);
        return {};
      },
    },
    'moderator:muteAll': {
      access: 'moderator',
      handle: async ({ live }) => {
        const guests = live.conference.participants.filter((participant) => participant.role !== 'moderator' && participant.state === 'admitted');
        await Promise.all(guests.map((participant) => port.mute(live, participant)));
        port.broadcast(live);
        return {};
      },
    },
    'moderator:remove': {
      access: 'moderator',
      handle: async ({ live }, { participantId }) => {
        const { conference } = live;
        const target = conference.find(participantId);
        if (target && target.role !== 'moderator') {
          await port.marks.markRemoved(conference.roomNumber, target.id);
          conference.screeningNewcomers = true;
          await port.remove(target.id, 'removed');
        }
        return {};
      },
    },
    'moderator:setLocked': {
      access: 'moderator',
      handle: async ({ live }, { locked }) => {
        await port.marks.setLocked(live.conference.roomNumber, locked);
        live.conference.locked = locked;
        port.broadcast(live);
        return {};
      },
    },
    'moderator:admit': {
      access: 'moderator',
      handle: async ({ live }, { participantId }) => {
        const admitted = live.conference.admit(participantId);
        port.broadcast(live);
        port.admitted(live, admitted);
        return {};
      },
    },
    'moderator:admitAll': {
      access: 'moderator',
      handle: async ({ live }) => {
        const admitted = live.conference.admitAll();
        port.broadcast(live);
        port.admitted(live, admitted);
        return {};
      },
    },
    'moderator:clearAttributes': {
      access: 'moderator',
      handle: async ({ live }, { participantId }) => {
        const target = live.conference.find(participantId);
        if (target) target.attributes = {};
        port.broadcast(live);
        return {};
      },
    },
    'moderator:end': {
      access: 'moderator',
      handle: async ({ live }) => {
        await port.marks.markEnded(live.conference.roomNumber);
        await port.end(live, 'ended-by-moderator');
        return {};
      },
    },
  };
}
