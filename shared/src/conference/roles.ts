export const CONFERENCE_ROLES = ['moderator', 'participant'] as const;
export type ConferenceRole = (typeof CONFERENCE_ROLES)[number];

/** Where a participant is: in the waiting room (Warteschlange) or in the conference. */
export const PARTICIPANT_STATES = ['waiting', 'admitted'] as const;
export type ParticipantState = (typeof PARTICIPANT_STATES)[number];

export const MEDIA_SOURCES = ['microphone', 'camera', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];
