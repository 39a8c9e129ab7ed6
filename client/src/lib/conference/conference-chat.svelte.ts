import { CHAT_HISTORY_LIMIT, type ChatMessageView } from '@konferenz/shared';

/**
 * The chat as this tab shows it: the messages (merged by id, so a reconnect's history neither
 * repeats nor loses what was already read) and the unread count while the panel is closed.
 */
export class ConferenceChat {
  messages = $state.raw<ChatMessageView[]>([]);
  open = $state(false);
  unread = $state(0);

  /** A new message; unread unless the panel is open or it is the participant's own. */
  receive(message: ChatMessageView, selfId: string | undefined): void {
    if (this.#has(message.id)) return;
    this.messages = [...this.messages, message].slice(-CHAT_HISTORY_LIMIT);
    if (!this.open && message.senderId !== selfId) this.unread += 1;
  }

  /**
   * The conference's history on entering. Messages already here stay (after the conference moved
   * to another node, that node's history starts empty); those not yet here count as unread.
   */
  merge(history: ChatMessageView[], selfId: string | undefined): void {
    const fresh = history.filter((message) => !this.#has(message.id));
    if (fresh.length === 0) return;
    this.messages = [...this.messages, ...fresh].sort((a, b) => a.sentAt.localeCompare(b.sentAt)).slice(-CHAT_HISTORY_LIMIT);
    if (!this.open) this.unread += fresh.filter((message) => message.senderId !== selfId).length;
  }

  toggle(): void {
    this.open = !this.open;
    if (this.open) this.unread = 0;
  }

  #has(id: string): boolean {
    return this.messages.some((message) => message.id === id);
  }
}
