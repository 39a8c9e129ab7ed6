import type { ServerToClientEvents } from '@konferenz/shared';
import type { ConferenceEvent } from './conference-events';

/**
 * The browser protocol's messages the conference sends a participant directly: its state for
 * the page, and the media signalling. What happened to the participant comes as ConferenceEvents.
 */
export type ConferenceMessages = Pick<
  ServerToClientEvents,
  'conference:state' | 'chat:message' | 'chat:history' | 'media:newConsumer' | 'media:consumerClosed' | 'media:consumerPaused' | 'media:activeSpeaker'
>;

/**
 * How the conference reaches one participant: a browser's socket, or a phone call's IVR and
 * audio bridge. The conference never knows which.
 */
export interface ParticipantConnection {
  readonly id: string;
  notify(event: ConferenceEvent): void;
  send<E extends keyof ConferenceMessages>(event: E, ...payload: Parameters<ConferenceMessages[E]>): void;
  close(): void;
}
