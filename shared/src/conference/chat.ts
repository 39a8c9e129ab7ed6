import { z } from 'zod';

/** Longer messages are refused by the server (and the client's field stops there). */
export const CHAT_MESSAGE_MAX_LENGTH = 1000;
/** What a conference keeps for late joiners: the newest messages, older ones are dropped. */
export const CHAT_HISTORY_LIMIT = 500;
/** Per participant: at most this many messages … */
export const CHAT_RATE_MESSAGES = 5;
/** … in this window; more are refused with CHAT_RATE_LIMITED. */
export const CHAT_RATE_WINDOW_MS = 10_000;
/**
 * Per conference, in the same window: every join is a new participant, so one holder of the PIN
 * with many tabs could otherwise flood everyone's chat and push the history out.
 */
export const CHAT_ROOM_RATE_MESSAGES = 30;

/** A message as sent: trimmed, not empty, at most CHAT_MESSAGE_MAX_LENGTH characters. */
export const chatTextSchema = z.string().trim().min(1, 'validation.required').max(CHAT_MESSAGE_MAX_LENGTH, 'validation.tooLong');

/** A chat message as everyone in the conference sees it; text is plain text, never markup. */
export interface ChatMessageView {
  id: string;
  senderId: string;
  senderName: string;
  text: string;
  /** ISO time the server accepted it. */
  sentAt: string;
}
