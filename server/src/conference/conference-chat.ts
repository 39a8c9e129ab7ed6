import { randomUUID } from 'node:crypto';
import { CHAT_HISTORY_LIMIT, CHAT_RATE_MESSAGES, CHAT_RATE_WINDOW_MS, CHAT_ROOM_RATE_MESSAGES, type ChatMessageView } from '@konferenz/shared';
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
  /** When the conference's recent messages were accepted, whoever sent them. */
  #roomSentAt: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  get history(): ChatMessageView[] {
    return [...this.#messages];
  }

  /** Accepts a message (text already validated by the protocol's schema) or refuses it over the sender's or the conference's rate. */
  post(sender: Pick<Participant, 'id' | 'displayName'>, text: string): ChatMessageView {
    const now = this.now();
    const withinWindow = (at: number) => now - at < CHAT_RATE_WINDOW_MS;
    const recent = (this.#sentAt.get(sender.id) ?? []).filter(withinWindow);
    this.#roomSentAt = this.#roomSentAt.filter(withinWindow);
    if (recent.length >= CHAT_RATE_MESSAGES || this.#roomSentAt.length >= CHAT_ROOM_RATE_MESSAGES) throw new ApiException('CHAT_RATE_LIMITED');
    this.#sentAt.set(sender.id, [...recent, now]);
    this.#roomSentAt.push(now);
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
