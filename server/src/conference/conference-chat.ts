import { randomUUID } from 'node:crypto';
import { CHAT_HISTORY_LIMIT, CHAT_RATE_MESSAGES, CHAT_RATE_WINDOW_MS, type ChatMessageView } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { Participant } from './conference';

/**
 * One conference's chat: its history (the newest CHAT_HISTORY_LIMIT messages, for late joiners)
 * and each sender's rate limit. It lives with the conference in the memory of the node that runs
 * it and goes when the conference ends.
 */
export class ConferenceChat {
  readonly #messages: ChatMessageView[] = [];
  /** When each participant's recent messages were accepted, newest last, within the rate window. */
  readonly #sentAt = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  get history(): ChatMessageView[] {
    return [...this.#messages];
  }

  /** Accepts a message (text already validated by the protocol's schema) or refuses a sender over their rate. */
  post(sender: Pick<Participant, 'id' | 'displayName'>, text: string): ChatMessageView {
    const now = this.now();
    const recent = (this.#sentAt.get(sender.id) ?? []).filter((at) => now - at < CHAT_RATE_WINDOW_MS);
    if (recent.length >= CHAT_RATE_MESSAGES) throw new ApiException('CHAT_RATE_LIMITED');
    this.#sentAt.set(sender.id, [...recent, now]);
    const message: ChatMessageView = {
      id: randomUUID(),
      senderId: sender.id,
      senderName: sender.displayName,
      text,
      sentAt: new Date(now).toISOString(),
    };
    this.#messages.push(message);
    if (this.#messages.length > CHAT_HISTORY_LIMIT) this.#messages.splice(0, this.#messages.length - CHAT_HISTORY_LIMIT);
    return message;
  }

  /** A participant left for good: their rate window is no longer needed. */
  forget(participantId: string): void {
    this.#sentAt.delete(participantId);
  }
}
