import { CHAT_HISTORY_LIMIT, CHAT_RATE_MESSAGES, CHAT_RATE_WINDOW_MS, CHAT_ROOM_RATE_MESSAGES } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { ConferenceChat } from './conference-chat';

const anna = { id: 'a', displayName: 'Anna' };
const ben = { id: 'b', displayName: 'Ben' };

describe('ConferenceChat', () => {
  it('limits each sender to CHAT_RATE_MESSAGES per window, others unaffected, and lets them on once the window has passed', () => {
    let now = 1_000_000;
    const chat = new ConferenceChat(() => now);
    for (let i = 0; i < CHAT_RATE_MESSAGES; i += 1) chat.post(anna, `m${i}`);
    expect(() => chat.post(anna, 'one too many')).toThrow(expect.objectContaining({ code: 'CHAT_RATE_LIMITED' }));
    expect(chat.post(ben, 'ich darf').senderName).toBe('Ben');
    now += CHAT_RATE_WINDOW_MS;
    expect(chat.post(anna, 'wieder').text).toBe('wieder');
    expect(chat.history.map((message) => message.text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'ich darf', 'wieder']);
  });

  it('keeps only the newest CHAT_HISTORY_LIMIT messages', () => {
    let now = 0;
    const chat = new ConferenceChat(() => (now += CHAT_RATE_WINDOW_MS));
    for (let i = 0; i < CHAT_HISTORY_LIMIT + 20; i += 1) chat.post(anna, `m${i}`);
    expect(chat.history).toHaveLength(CHAT_HISTORY_LIMIT);
    expect(chat.history[0]!.text).toBe('m20');
    expect(new Set(chat.history.map((message) => message.id)).size).toBe(CHAT_HISTORY_LIMIT);
  });

  it('limits the whole conference to CHAT_ROOM_RATE_MESSAGES per window: many tabs of one PIN holder cannot flood it', () => {
    let now = 1_000_000;
    const chat = new ConferenceChat(() => now);
    const tabs = Array.from({ length: CHAT_ROOM_RATE_MESSAGES }, (_, i) => ({ id: `tab${i}`, displayName: 'Flut' }));
    for (const tab of tabs) chat.post(tab, 'x');
    expect(() => chat.post(ben, 'und ich?')).toThrow(expect.objectContaining({ code: 'CHAT_RATE_LIMITED' }));
    now += CHAT_RATE_WINDOW_MS;
    expect(chat.post(ben, 'jetzt').text).toBe('jetzt');
  });
});
