import type { CatalogueKey, ConferenceStateView, ParticipantView } from '@konferenz/shared';

/** A short notice the page shows for a while (Toasts.svelte). */
export interface Notice {
  id: number;
  kind: 'joined' | 'left' | 'waiting' | 'moderator-left';
  key: CatalogueKey;
  params: Record<string, string | number>;
}

/** How long a notice stays. */
export const NOTICE_MS = 6_000;
/** More arrivals or departures at once than this become one notice with a count (big rooms). */
const NAMED_AT_ONCE = 3;
/** At most this many notices show; the oldest go first. */
const SHOWN_AT_ONCE = 4;

/**
 * What the conference state's changes mean to tell: who joined or left, who started waiting
 * (moderators: with a chime), that the moderator left. Derived by comparing one state with the
 * next, as the page sees them; the first state of a connection tells nothing (no news yet).
 */
export class ConferenceNotices {
  notices = $state.raw<Notice[]>([]);
  /** How often the waiting chime sounded, for the page's tests (data-chimes). */
  chimes = $state(0);
  #nextId = 1;
  /** Each shown notice's timer, by notice id (not state: nothing renders them). */
  #timers: Record<number, ReturnType<typeof setTimeout>> = {};

  constructor(private readonly chime: () => void = () => undefined) {}

  observe(previous: ConferenceStateView | null, next: ConferenceStateView): void {
    if (!previous || previous.self.state !== 'admitted') return;
    const selfId = next.self.id;
    if (next.self.state === 'admitted') {
      const before = othersIn(previous.participants, selfId);
      const after = othersIn(next.participants, selfId);
      this.#announce(
        'joined',
        [...after.values()].filter((participant) => !before.has(participant.id)),
      );
      this.#announce(
        'left',
        [...before.values()].filter((participant) => !after.has(participant.id)),
      );
    }
    if (next.self.role === 'moderator') {
      const newcomers = next.waiting.filter((participant) => !previous.waiting.some((before) => before.id === participant.id));
      for (const participant of newcomers) this.#push('waiting', 'ui.conference.notice.waiting', { name: participant.displayName });
      if (newcomers.length > 0) {
        this.chimes += 1;
        this.chime();
      }
    } else if (previous.moderatorPresent && !next.moderatorPresent) {
      this.#push('moderator-left', 'ui.conference.notice.moderatorLeft', {});
    }
  }

  dismiss(id: number): void {
    clearTimeout(this.#timers[id]);
    delete this.#timers[id];
    this.notices = this.notices.filter((notice) => notice.id !== id);
  }

  destroy(): void {
    for (const timer of Object.values(this.#timers)) clearTimeout(timer);
    this.#timers = {};
  }

  #announce(kind: 'joined' | 'left', participants: ParticipantView[]): void {
    if (participants.length > NAMED_AT_ONCE) {
      this.#push(kind, kind === 'joined' ? 'ui.conference.notice.joinedMany' : 'ui.conference.notice.leftMany', { count: participants.length });
      return;
    }
    for (const participant of participants) {
      this.#push(kind, kind === 'joined' ? 'ui.conference.notice.joined' : 'ui.conference.notice.left', { name: participant.displayName });
    }
  }

  #push(kind: Notice['kind'], key: CatalogueKey, params: Notice['params']): void {
    const notice: Notice = { id: this.#nextId++, kind, key, params };
    const kept = [...this.notices, notice];
    for (const dropped of kept.slice(0, Math.max(0, kept.length - SHOWN_AT_ONCE))) this.dismiss(dropped.id);
    this.notices = [...this.notices, notice];
    this.#timers[notice.id] = setTimeout(() => this.dismiss(notice.id), NOTICE_MS);
  }
}

/** Admitted participants other than oneself, by id; phone callers count like everyone else. */
function othersIn(participants: ParticipantView[], selfId: string): Map<string, ParticipantView> {
  return new Map(participants.filter((participant) => participant.id !== selfId).map((participant) => [participant.id, participant]));
}
