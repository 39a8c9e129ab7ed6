/**
 * The reconnect grace periods: a participant whose connection dropped stays listed until their
 * timer runs out, unless they come back (or leave) first. One timer per participant.
 */
export class GracePeriods {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  start(participantId: string, ms: number, expired: () => void): void {
    this.cancel(participantId);
    this.#timers.set(participantId, setTimeout(expired, ms));
  }

  cancel(participantId: string): void {
    clearTimeout(this.#timers.get(participantId));
    this.#timers.delete(participantId);
  }

  cancelAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
