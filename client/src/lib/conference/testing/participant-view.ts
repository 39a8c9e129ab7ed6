import type { ParticipantView } from '@konferenz/shared';

/** An admitted browser participant with everything on, for the unit specs to vary. */
export function participantView(id: string, overrides: Partial<ParticipantView> = {}): ParticipantView {
  return {
    id,
    displayName: id,
    role: 'participant',
    state: 'admitted',
    via: 'browser',
    microphone: 'on',
    camera: 'on',
    screen: false,
    mutedByModerator: false,
    mutedOnEntry: false,
    connected: true,
    attributes: {},
    ...overrides,
  };
}
