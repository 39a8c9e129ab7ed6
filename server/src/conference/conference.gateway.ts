import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import {
  CONFERENCE_NAMESPACE,
  conferenceRequestSchemas,
  type ClientToServerEvents,
  DEFAULT_LANGUAGE,
  isLanguage,
  type ConferenceRequestName,
  type Language,
  type ServerToClientEvents,
  type SocketResult,
} from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import { toErrorResponse } from '../common/error-response';
import { validate } from '../common/validate';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS } from './conference.tokens';
import type { JoinClaims, JoinTokens } from './join-token';

interface SocketState {
  claims: JoinClaims;
  language: Language;
  renewal?: NodeJS.Timeout;
  /** Requests being answered: a close waits until their acknowledgements have gone out. */
  inFlight: number;
  closing?: boolean;
  /** The close that stops waiting for acknowledgements. */
  closeLimit?: NodeJS.Timeout;
}
type ConferenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;

/** A close that waits for acknowledgements gives up waiting after this long. */
const CLOSE_AFTER_ACK_LIMIT_MS = 5_000;

const REQUEST_NAMES = Object.keys(conferenceRequestSchemas) as ConferenceRequestName[];

/**
 * Browsers' way into a conference. Thin on purpose: authenticate the socket by its join token,
 * validate each request against the shared schema, hand it to ConferenceService, and answer
 * every request with one acknowledgement shape. A malformed event gets an error answer (or,
 * without an acknowledgement callback, nothing) and never reaches the service.
 */
@WebSocketGateway({ namespace: CONFERENCE_NAMESPACE, serveClient: false, maxHttpBufferSize: 64_000 })
export class ConferenceGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<ConferenceSocket>, OnGatewayDisconnect<ConferenceSocket> {
  readonly #logger = new Logger('ConferenceGateway');

  constructor(
    private readonly conferences: ConferenceService,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const claims = this.tokens.verify((socket.handshake.auth as { token?: unknown }).token);
      if (!claims || !this.conferences.isAdmissible(claims)) return next(new Error('CONFERENCE_TOKEN_INVALID'));
      socket.data.claims = claims;
      socket.data.inFlight = 0;
      const preferred = socket.handshake.headers['accept-language']?.slice(0, 2);
      socket.data.language = isLanguage(preferred) ? preferred : DEFAULT_LANGUAGE;
      next();
    });
  }

  async handleConnection(socket: ConferenceSocket): Promise<void> {
    const { claims } = socket.data;
    // Requests that arrive while the participant is still being seated wait for it.
    let seated: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (seated = resolve));
    for (const name of REQUEST_NAMES) {
      socket.on(name, (payload: unknown, ack: unknown) => void ready.then(() => this.#answer(socket, name, payload, ack)));
    }
    try {
      await this.conferences.connect(claims, {
        id: socket.id,
        send: (event, ...payload) => socket.emit(event, ...payload),
        close: () => this.#closeAfterAcks(socket),
      });
      // The socket may have gone while the participant was being seated: then it counts as a dropped connection now.
      if (socket.disconnected) return this.conferences.disconnected(claims.pid, socket.id);
      this.#renewTokens(socket);
      seated();
    } catch (error) {
      const locked = error instanceof ApiException && error.code === 'ROOM_LOCKED';
      if (!locked) this.#logger.error(`Could not connect ${claims.pid} to room ${claims.room}: ${(error as Error).message}`);
      socket.emit('conference:ended', { reason: locked ? 'room-locked' : 'error' });
      socket.disconnect(true);
    }
  }

  handleDisconnect(socket: ConferenceSocket): void {
    clearInterval(socket.data.renewal);
    clearTimeout(socket.data.closeLimit);
    if (socket.data.claims) this.conferences.disconnected(socket.data.claims.pid, socket.id);
  }

  /** Renews the token at half its lifetime, so whoever is still connected always holds a valid one. */
  #renewTokens(socket: ConferenceSocket): void {
    const { room, pid, role, name } = socket.data.claims;
    socket.data.renewal = setInterval(() => {
      const { token, claims } = this.tokens.issue({ room, pid, role, name });
      socket.emit('conference:token', { token, expiresAt: new Date(claims.exp).toISOString() });
    }, this.tokens.ttlMs / 2);
  }

  async #answer(socket: ConferenceSocket, name: ConferenceRequestName, payload: unknown, ack: unknown): Promise<void> {
    if (typeof ack !== 'function') return;
    const reply = ack as (result: SocketResult<unknown>) => void;
    socket.data.inFlight++;
    try {
      const request = validate(conferenceRequestSchemas[name], payload);
      reply({ ok: true, data: await this.conferences.request(socket.data.claims.pid, name, request as never, socket.id) });
    } catch (error) {
      reply({ ok: false, error: toErrorResponse(error, socket.data.language, this.#logger).body });
    } finally {
      socket.data.inFlight--;
      if (socket.data.closing && socket.data.inFlight === 0) setImmediate(() => socket.disconnect(true));
    }
  }

  /**
   * The conference let go of this connection (ended, removed, replaced). Requests still being
   * answered get their acknowledgement first: a moderator's "end" may take a while (media to
   * close) and must not look like a failure to the moderator who asked for it.
   */
  #closeAfterAcks(socket: ConferenceSocket): void {
    socket.data.closing = true;
    if (socket.data.inFlight === 0) {
      setImmediate(() => socket.disconnect(true));
      return;
    }
    socket.data.closeLimit = setTimeout(() => socket.disconnect(true), CLOSE_AFTER_ACK_LIMIT_MS).unref();
  }
}
