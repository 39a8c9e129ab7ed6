import type { ConferenceRole, ConferenceStateView, ParticipantAttributes, ParticipantState, ParticipantView, RoomSettings } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import { entersMuted } from './mute-on-entry';

export interface Participant {
  readonly id: string;
  readonly displayName: string;
  readonly role: ConferenceRole;
  readonly via: 'browser' | 'phone';
  state: ParticipantState;
  /** False while a dropped connection may still come back (the reconnect grace period). */
  connected: boolean;
  mutedByModerator: boolean;
  /** Entered muted by the room's setting (muteOnEntry); like a moderator's mute, only they lift it. */
  mutedOnEntry: boolean;
  /** Set by the participant, cleared by a moderator; kept across reconnects and the waiting room. */
  attributes: ParticipantAttributes;
}

/**
 * What a conference must remember to be rebuilt elsewhere (another node, after its own stopped
 * or died) with the same standing for everyone who comes back: the participants reconnect and
 * arrive again, and the record gives each the place they had.
 */
export interface ConferenceRecord {
  /** Absent in records written before the chat existed: on. */
  chatEnabled?: boolean;
  screeningNewcomers: boolean;
  /** Who had been let in: back with a moderator present, they are in again, whatever the admission rules. */
  admittedBefore: string[];
  /** Everyone who was there, in arrival order: the waiting list keeps its order whoever reconnects first. */
  order: string[];
  /** Per participant who was there: a moderator or not, inside (admitted) or waiting, muted by a moderator or on entry, and their attributes (a raised hand). */
  standings: Record<string, { moderator: boolean; inside: boolean; mutedByModerator: boolean; mutedOnEntry?: boolean; attributes: ParticipantAttributes }>;
}

/** The server keeps this participant's microphone paused until they unmute it themselves. */
export function isHeldMuted(participant: Participant): boolean {
  return participant.mutedByModerator || participant.mutedOnEntry;
}

export type MediaSummary = Pick<ParticipantView, 'microphone' | 'camera' | 'screen'>;
export const NO_MEDIA: MediaSummary = { microphone: 'none', camera: 'none', screen: false };

/**
 * Who is in one conference and who waits: the rules of the seed's waiting room (Warteschlange)
 * and of the moderator's controls, with no sockets, media or timers, so browser and phone
 * participants go through exactly the same rules.
 */
export class Conference {
  locked = false;
  /** The room's chat; a moderator may turn it off (and on again). */
  chatEnabled = true;
  /**
   * Set once a moderator removes someone: from then on nobody is let in automatically. A removed
   * guest who still knows the PIN can come back under a new id, and PINs carry no identity to
   * block; so newcomers wait where the moderator sees their names and decides.
   */
  screeningNewcomers = false;
  activeSpeakerId: string | null = null;
  readonly #participants = new Map<string, Participant>();
  /** Who has been in this conference: sent back to the queue, they come back in with a moderator whatever the admission rules. */
  readonly #admittedBefore = new Set<string>();
  /** From a record: the standing of participants who were here before the conference moved, until they arrive again. */
  readonly #standings = new Map<string, ConferenceRecord['standings'][string]>();
  /** From a record: where each of those who were there stood in the arrival order. */
  readonly #rank = new Map<string, number>();

  constructor(
    readonly roomNumber: string,
    public settings: RoomSettings,
  ) {}

  /** In arrival order; after a move, those who were there first in their old order, then newcomers. */
  get participants(): Participant[] {
    const all = [...this.#participants.values()];
    if (this.#rank.size === 0) return all;
    const rank = (participant: Participant) => this.#rank.get(participant.id) ?? this.#rank.size;
    return all.sort((a, b) => rank(a) - rank(b));
  }

  get isEmpty(): boolean {
    return this.#participants.size === 0;
  }

  get moderatorPresent(): boolean {
    return this.participants.some((participant) => participant.role === 'moderator');
  }

  find(id: string): Participant | undefined {
    return this.#participants.get(id);
  }

  /**
   * Someone with a valid PIN (or a reconnect) arrives. Returns who was admitted as a result:
   * a moderator's arrival opens the waiting room for everyone when the room admits automatically,
   * and otherwise for those who had been in before (sent back to the queue when the moderator left).
   */
  arrive(arrival: Pick<Participant, 'id' | 'displayName' | 'role' | 'via'>): Participant[] {
    const known = this.#participants.get(arrival.id);
    if (known) {
      known.connected = true;
      return [];
    }
    // Back after the conference moved to this node: a lock keeps out newcomers, not them.
    const wasHere = this.#standings.has(arrival.id);
    if (this.locked && arrival.role !== 'moderator' && !wasHere) throw new ApiException('ROOM_LOCKED');
    const hadModerator = this.moderatorPresent;
    // Absent in records written before mute on entry existed: not muted on entry.
    const {
      inside,
      mutedByModerator,
      mutedOnEntry = false,
      attributes,
    } = this.#standings.get(arrival.id) ?? {
      moderator: false,
      inside: false,
      mutedByModerator: false,
      attributes: {},
    };
    this.#standings.delete(arrival.id);
    const participant: Participant = { ...arrival, state: 'waiting', connected: true, mutedByModerator, mutedOnEntry, attributes };
    this.#participants.set(participant.id, participant);
    if (participant.role === 'moderator') {
      participant.state = 'admitted';
      this.#admittedBefore.add(participant.id);
      if (hadModerator) return [participant];
      return [participant, ...(this.#admitsAutomatically ? this.admitAll() : this.#readmit())];
    }
    // Inside when the conference moved: inside again with a moderator there, or without one where those inside stay ('continue').
    const backInside = inside && (hadModerator || this.settings.moderatorLeaves === 'continue');
    if (backInside || (hadModerator && (this.#admitsAutomatically || this.#admittedBefore.has(participant.id)))) {
      return this.admit(participant.id);
    }
    return [];
  }

  /** This conference as another node would need it (see ConferenceRecord). */
  record(): ConferenceRecord {
    const standings: ConferenceRecord['standings'] = Object.fromEntries(this.#standings);
    for (const participant of this.participants) {
      standings[participant.id] = {
        moderator: participant.role === 'moderator',
        inside: participant.state === 'admitted',
        mutedByModerator: participant.mutedByModerator,
        mutedOnEntry: participant.mutedOnEntry,
        attributes: participant.attributes,
      };
    }
    const present = this.participants.map((participant) => participant.id);
    const order = [...present, ...[...this.#standings.keys()].filter((id) => !present.includes(id))];
    return { chatEnabled: this.chatEnabled, screeningNewcomers: this.screeningNewcomers, admittedBefore: [...this.#admittedBefore], standings, order };
  }

  /** The moderators of the conference before it moved who have not come back yet. */
  get awaitedModerators(): string[] {
    return [...this.#standings].filter(([, standing]) => standing.moderator).map(([id]) => id);
  }

  /** Opens a moved conference with what its previous node recorded; its participants arrive again. */
  restore(record: ConferenceRecord): void {
    this.screeningNewcomers = record.screeningNewcomers;
    this.chatEnabled = record.chatEnabled ?? true;
    for (const id of record.admittedBefore) this.#admittedBefore.add(id);
    for (const [id, standing] of Object.entries(record.standings)) this.#standings.set(id, standing);
    // A record written before the order was kept has none: arrival order then.
    (record.order ?? []).forEach((id, index) => this.#rank.set(id, index));
  }

  get #admitsAutomatically(): boolean {
    return this.settings.admission === 'all-on-moderator' && !this.screeningNewcomers;
  }

  /** Removes a participant; true when that was the last moderator. */
  depart(id: string): boolean {
    const leaving = this.#participants.get(id);
    this.#participants.delete(id);
    this.#admittedBefore.delete(id);
    if (this.activeSpeakerId === id) this.activeSpeakerId = null;
    return leaving?.role === 'moderator' && !this.moderatorPresent;
  }

  admit(id: string): Participant[] {
    const participant = this.#participants.get(id);
    if (!participant || participant.state !== 'waiting') return [];
    // Entering this conference for the first time (not back from the queue or a move): the room may mute them.
    if (!this.#admittedBefore.has(id) && participant.role !== 'moderator') {
      participant.mutedOnEntry = entersMuted(this.settings.muteOnEntry, this.#guestsInside());
    }
    participant.state = 'admitted';
    this.#admittedBefore.add(id);
    return [participant];
  }

  #guestsInside(): number {
    return this.participants.filter((participant) => participant.role !== 'moderator' && participant.state === 'admitted').length;
  }

  #readmit(): Participant[] {
    return this.participants
      .filter((participant) => participant.state === 'waiting' && this.#admittedBefore.has(participant.id))
      .flatMap((participant) => this.admit(participant.id));
  }

  admitAll(): Participant[] {
    return this.participants.filter((participant) => participant.state === 'waiting').flatMap((participant) => this.admit(participant.id));
  }

  /** The 'back-to-waiting' policy: everyone but moderators returns to the queue. */
  sendBackToWaiting(): Participant[] {
    const sent = this.participants.filter((participant) => participant.state === 'admitted' && participant.role !== 'moderator');
    for (const participant of sent) participant.state = 'waiting';
    return sent;
  }

  /** The conference as one participant sees it; what the node adds (videoLastN) is the service's. */
  view(forId: string, mediaOf: (id: string) => MediaSummary): Omit<ConferenceStateView, 'videoLastN'> {
    const self = this.#participants.get(forId);
    if (!self) throw new ApiException('NOT_ADMITTED');
    const toView = (participant: Participant): ParticipantView => ({
      id: participant.id,
      displayName: participant.displayName,
      role: participant.role,
      state: participant.state,
      via: participant.via,
      mutedByModerator: participant.mutedByModerator,
      mutedOnEntry: participant.mutedOnEntry,
      connected: participant.connected,
      attributes: participant.attributes,
      ...(participant.state === 'admitted' ? mediaOf(participant.id) : NO_MEDIA),
    });
    const waiting = this.participants.filter((participant) => participant.state === 'waiting');
    const moderator = self.role === 'moderator';
    return {
      roomNumber: this.roomNumber,
      self: toView(self),
      participants: self.state === 'admitted' ? this.participants.filter((p) => p.state === 'admitted').map(toView) : [],
      waiting: moderator ? waiting.map(toView) : [],
      waitingCount: waiting.length,
      moderatorPresent: this.moderatorPresent,
      locked: this.locked,
      screeningNewcomers: this.screeningNewcomers,
      activeSpeakerId: self.state === 'admitted' ? this.activeSpeakerId : null,
      settings: moderator ? this.settings : null,
      chatEnabled: this.chatEnabled,
    };
  }
}
