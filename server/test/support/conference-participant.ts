import { io, type Socket } from 'socket.io-client';
import {
  CONFERENCE_NAMESPACE,
  type ClientToServerEvents,
  type ConferenceRequest,
  type ConferenceRequestName,
  type ConferenceResponses,
  type ConferenceStateView,
  type ServerToClientEvents,
  type SocketResult,
} from '@konferenz/shared';

/** A conference participant as the browser is one: a Socket.IO connection with its join token. */
export class ConferenceParticipant {
  readonly states: ConferenceStateView[] = [];
  readonly events: Array<{ event: string; payload: unknown }> = [];

  private constructor(readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    socket.on('conference:state', (state) => this.states.push(state));
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
  }

  static connect(baseUrl: string, token: string): Promise<ConferenceParticipant> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${baseUrl}${CONFERENCE_NAMESPACE}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const participant = new ConferenceParticipant(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(participant));
      socket.once('connect_error', (error) => reject(error));
    });
  }

  get state(): ConferenceStateView | undefined {
    return this.states.at(-1);
  }

  request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N> | unknown): Promise<SocketResult<ConferenceResponses[N]>> {
    return new Promise((resolve) => (this.socket.emit as (...args: unknown[]) => void)(name, payload, resolve));
  }

  async waitForState(predicate: (state: ConferenceStateView) => boolean, timeoutMs = 5_000): Promise<ConferenceStateView> {
    return this.#poll(() => (this.state && predicate(this.state) ? this.state : undefined), timeoutMs, 'state');
  }

  async waitForEvent(event: string, timeoutMs = 5_000): Promise<unknown> {
    return (await this.#poll(() => this.events.find((entry) => entry.event === event), timeoutMs, event)).payload;
  }

  async waitForDisconnect(timeoutMs = 5_000): Promise<void> {
    await this.#poll(() => (this.socket.connected ? undefined : true), timeoutMs, 'disconnect');
  }

  close(): void {
    this.socket.disconnect();
  }

  async #poll<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last state: ${JSON.stringify(this.state)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
