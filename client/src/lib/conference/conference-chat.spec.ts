import type { ChatMessageView } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { ConferenceChat } from './conference-chat.svelte';

const message = (id: string, senderId = 'anna', sentAt = `2026-12-05T10:00:0${id}Z`): ChatMessageView => ({
  id,
  senderId,
  senderName: senderId,
  text: `text ${id}`,
  sentAt,
});

describe('ConferenceChat (client)', () => {
  it("counts others' messages as unread while closed, not one's own, and clears the count on opening", () => {
    const chat = new ConferenceChat();
    chat.receive(message('1'), 'me');
    chat.receive(message('2', 'me'), 'me');
    chat.receive(message('1'), 'me');
    expect(chat.unread).toBe(1);
    chat.toggle();
    expect(chat.unread).toBe(0);
    chat.receive(message('3'), 'me');
    expect(chat.unread).toBe(0);
    expect(chat.messages.map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('merges a history by id and time, keeping what it already had (a moved conference starts an empty one)', () => {
    const chat = new ConferenceChat();
    chat.receive(message('2'), 'me');
    chat.merge([message('1'), message('2')], 'me');
    chat.merge([], 'me');
    expect(chat.messages.map((m) => m.id)).toEqual(['1', '2']);
    expect(chat.unread).toBe(2);
  });
});
