import type { ServerToClientEvents } from '@konferenz/shared';

/**
 * How the conference reaches one participant: a browser's socket today, a phone call's IVR
 * and audio bridge in the next step. The conference never knows which.
 */
export interface ParticipantConnection {
  readonly id: string;
  send<E extends keyof ServerToClientEvents>(event: E, ...payload: Parameters<ServerToClientEvents[E]>): void;
  close(): void;
}
