import type { PresenceChange } from './presence-tones';

/**
 * How long after the first entry or exit others are gathered into the same notice: a waiting room
 * let in at once, or people leaving together at the end, is one tone, not one per person.
 */
export const PRESENCE_NOTICE_WINDOW_MS = 500;

/**
 * Gathers a caller's entry and exit news into notices: the first change opens a window, and at
 * its end the changes seen in it are told once each, in the order they first came (an entry and
 * an exit in one window: both tones, not twenty).
 */
export class PresenceNotices {
  readonly #changes = new Set<PresenceChange>();
  #timer?: NodeJS.Timeout;

  constructor(
    private readonly tell: (changes: PresenceChange[]) => void,
    private readonly windowMs = PRESENCE_NOTICE_WINDOW_MS,
  ) {}

  add(change: PresenceChange): void {
    this.#changes.add(change);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const changes = [...this.#changes];
      this.#changes.clear();
      this.tell(changes);
    }, this.windowMs);
  }

  /** Drops what was gathered (the caller left the conference, or a prompt says it better). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#changes.clear();
  }
}
