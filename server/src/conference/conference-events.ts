import type { ConferenceEndReason, ParticipantView } from '@konferenz/shared';

/**
 * What happened in a conference that concerns one participant, told to them as it happens
 * (ParticipantConnection.notify), each exactly when it happens: nobody has to compare conference
 * states to find out. A phone speaks them; browsers render the conference state instead and
 * only act on `ended` and `media-reset`.
 */
export type ConferenceEvent =
  /**
   * The participant waits: on arriving (or reconnecting) while waiting, when sent back to the
   * waiting room, and again when a moderator arrives or the last one leaves while they wait.
   */
  | { type: 'waiting'; moderatorPresent: boolean }
  /**
   * The participant is in the conference: on arriving (or reconnecting) admitted, or let in
   * from the waiting room. `participantCount`: admitted participants, them included.
   */
  | { type: 'admitted'; from: 'arrival' | 'waiting'; participantCount: number }
  /**
   * Others entered the conference (arrived admitted, or let in; those let in together are one
   * event) or one left it: told to those inside, when the room's entry and exit tones are on
   * (`entryExitTones`). Phones play a tone; browsers see the participant list.
   */
  | { type: 'someone-entered' }
  | { type: 'someone-left' }
  /** The last moderator left and the conference goes on without one (`moderatorLeaves: 'continue'`): told to those inside. */
  | { type: 'moderator-left' }
  /** The participant's microphone as the room hears it, whoever changed it (themselves or a moderator). */
  | { type: 'microphone-changed'; microphone: ParticipantView['microphone'] }
  /** The conference is over for the participant (ended, removed, …): the connection closes right after. */
  | { type: 'ended'; reason: ConferenceEndReason }
  /** Another node runs the conference now: the connection closes right after; the participant reconnects there. */
  | { type: 'moved' }
  /** The media server rebuilt the room's media: every producer is gone, media is set up anew. */
  | { type: 'media-reset' };
