import type { ChatMessageView } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { RequestHandlersFor } from './conference-requests';
import type { LiveConference } from './live-conference';

/** What the chat's requests need from the conference service. */
export interface ChatPort {
  broadcast(live: LiveConference): void;
  /** Sends a new message to everyone inside who reads chat (browsers). */
  deliverChat(live: LiveConference, message: ChatMessageView): void;
}

/** Sending a chat message, and the moderator's switch for the room's chat. */
export function chatRequests(port: ChatPort): RequestHandlersFor<'chat:send' | 'moderator:setChatEnabled'> {
  return {
    'chat:send': {
      access: 'admitted',
      handle: async ({ live, participant }, { text }) => {
        if (!live.conference.chatEnabled) throw new ApiException('CHAT_DISABLED');
        const message = live.chat.post(participant, text);
        port.deliverChat(live, message);
        return { id: message.id };
      },
    },
    'moderator:setChatEnabled': {
      access: 'moderator',
      handle: async ({ live }, { enabled }) => {
        live.conference.chatEnabled = enabled;
        port.broadcast(live);
        return {};
      },
    },
  };
}
