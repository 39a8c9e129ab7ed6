import {
  CONFERENCE_NAMESPACE,
  ERROR_CODES,
  type ClientToServerEvents,
  type ConferenceRequest,
  type ConferenceRequestName,
  type ConferenceResponses,
  type ConferenceSocketAuth,
  type ErrorCode,
  type ServerToClientEvents,
  type SocketResult,
} from '@konferenz/shared';
import { io, type Socket } from 'socket.io-client';

export type ConferenceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a request may wait for its acknowledgement. */
const REQUEST_TIMEOUT_MS = 10_000;

/** `NETWORK`: the socket is not connected, or no answer came in time. */
export type ConferenceErrorCode = ErrorCode | 'NETWORK';

/** A request the server refused (its ErrorResponse) or that got no answer. */
export class ConferenceRequestError extends Error {
  constructor(
    readonly code: ConferenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConferenceRequestError';
  }
}

/** Sends one acknowledged request: what the media and moderator code needs of the connection. */
export interface ConferenceSignaling {
  request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * The socket to the conference namespace, WebSocket only (no long-polling fallback: the conference
 * needs a live connection anyway). Same origin, unless `nodeUrl` names the node that runs the
 * conference (several nodes: the origin's node sent the socket there). Not connected until `connect()`.
 * `prepare`: connected during the device check, the participant arrives with `conference:enter`
 * (prepared-connection.ts); such a socket does not reconnect by itself until it has entered.
 */
export function openConferenceSocket(token: string, nodeUrl?: string, { prepare = false } = {}): ConferenceSocket {
  const auth: ConferenceSocketAuth = prepare ? { token, prepare } : { token };
  return io(`${nodeUrl ?? ''}${CONFERENCE_NAMESPACE}`, {
    auth,
    transports: ['websocket'],
    autoConnect: false,
    reconnection: !prepare,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5_000,
  });
}

/** The emit-with-acknowledgement call, untyped: the request signature below restores the types. */
interface AckEmitter {
  timeout(ms: number): { emitWithAck(name: string, payload: unknown): Promise<unknown> };
}

function isSocketResult(value: unknown): value is SocketResult<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** Acknowledged requests over the conference socket; refused while it is disconnected (nothing is queued). */
export class ConferenceConnection implements ConferenceSignaling {
  constructor(readonly socket: ConferenceSocket) {}

  async request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]> {
    if (!this.socket.connected) throw new ConferenceRequestError('NETWORK', `${name}: not connected`);
    let result: unknown;
    try {
      result = await (this.socket as unknown as AckEmitter).timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);
    } catch {
      throw new ConferenceRequestError('NETWORK', `${name}: no answer`);
    }
    if (!isSocketResult(result)) throw new ConferenceRequestError('INTERNAL', `${name}: malformed answer`);
    if (result.ok) return result.data as ConferenceResponses[N];
    const code = isErrorCode(result.error?.code) ? result.error.code : 'INTERNAL';
    throw new ConferenceRequestError(code, result.error?.message ?? name);
  }
}
