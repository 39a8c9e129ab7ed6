import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import {
  CONFERENCE_NAMESPACE,
  conferenceRequestSchemas,
  type ClientToServerEvents,
  type ConferenceSocketAuth,
  DEFAULT_LANGUAGE,
  isLanguage,
  type ConferenceRequestName,
  type Language,
  type ServerToClientEvents,
  type SocketResult,
} from '@konferenz/shared';
import { RoomOnOtherNode } from '../cluster/room-ownership';
import { ApiException } from '../common/api-exception';
import { toErrorResponse } from '../common/error-response';
import { validate } from '../common/validate';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { ConferenceEvent } from './conference-events';
import { ConferenceService } from './conference.service';
import { JOIN_TOKENS } from './conference.tokens';
import type { JoinClaims, JoinTokens } from './join-token';
import { SocketEventBudget, type SocketEventLimits } from './socket-event-budget';

interface SocketState {
  claims: JoinClaims;
  /** Connected during the device check: seated only on `conference:enter`. */
  prepared: boolean;
  language: Language;
  renewal?: NodeJS.Timeout;
  /** Requests being answered: a close waits until their acknowledgements have gone out. */
  inFlight: number;
  closing?: boolean;
  /** The close that stops waiting for acknowledgements. */
  closeLimit?: NodeJS.Timeout;
  budget: SocketEventBudget;
}
type ConferenceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;
type EnterAck = (result: SocketResult<Record<string, never>>) => void;

/** A close that waits for acknowledgements gives up waiting after this long. */
const CLOSE_AFTER_ACK_LIMIT_MS = 5_000;

const REQUEST_NAMES = Object.keys(conferenceRequestSchemas) as ConferenceRequestName[];

/**
 * Prepared sockets (authenticated, not seated) per room at most: a PIN holder can mint tokens at
 * will, and these sockets are seen by nobody, so they are bounded here rather than by a moderator.
 * Past it a join page simply connects on the join click, as without preparing.
 */
const MAX_PREPARED_PER_ROOM = 100;

/** Refused events within this window that mark a socket as abusive (with twice its burst refused). */
const ABUSE_WINDOW_MS = 10_000;
/** A participant disconnected for flooding may not connect again for this long. */
const ABUSE_COOL_OFF_MS = 10_000;

/**
 * Browsers' way into a conference. Thin on purpose: authenticate the socket by its join token,
 * validate each request against the shared schema, hand it to ConferenceService, and answer
 * every request with one acknowledgement shape. A malformed event gets an error answer (or,
 * without an acknowledgement callback, nothing) and never reaches the service. Every incoming
 * event spends from the socket's budget (SocketEventBudget): over it, the event is answered
 * TOO_MANY_REQUESTS; a socket that keeps going is disconnected, logged and kept out for a while.
 */
@WebSocketGateway({ namespace: CONFERENCE_NAMESPACE, serveClient: false, maxHttpBufferSize: 64_000 })
export class ConferenceGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<ConferenceSocket>, OnGatewayDisconnect<ConferenceSocket>, BeforeApplicationShutdown
{
  readonly #logger = new Logger('ConferenceGateway');
  readonly #limits: SocketEventLimits;
  /** Participants disconnected for flooding, until when they are refused. */
  readonly #coolingOff = new Map<string, number>();
  /** Prepared sockets by participant: one each, a newer connection of the same token replaces it. */
  readonly #prepared = new Map<string, ConferenceSocket>();
  #namespace: Namespace | undefined;
  #stopping = false;
  /** Several nodes: a stop tells the browsers to move rather than to wait for this node. */
  readonly #cluster: boolean;

  constructor(
    private readonly conferences: ConferenceService,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.#cluster = config.cluster !== null;
    const { socketEventsPerSecond, socketEventBurst } = config.conference;
    this.#limits = { perSecond: socketEventsPerSecond, burst: socketEventBurst, abuseRefusals: 2 * socketEventBurst, abuseWindowMs: ABUSE_WINDOW_MS };
  }

  afterInit(namespace: Namespace): void {
    this.#namespace = namespace;
    namespace.use(
      (socket, next) =>
        void this.#admit(socket as ConferenceSocket).then(
          () => next(),
          (error: Error) => next(error),
        ),
    );
  }

  /**
   * The server is stopping: every browser hears so (it then reconnects by itself with its token
   * once the server is back), and no new connection is taken. Said once, as early as possible.
   * With several nodes the rooms are already free (ConferenceService.stop): the browsers are told
   * their conference moved, and reconnect through the front door to whichever node takes it.
   */
  announceShutdown(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#namespace?.emit(this.#cluster ? 'conference:moved' : 'server:shutdown');
  }

  /** Then the sockets close, so nothing waits for them. */
  beforeApplicationShutdown(): void {
    this.announceShutdown();
    this.#namespace?.disconnectSockets(true);
  }

  async #admit(socket: ConferenceSocket): Promise<void> {
    if (this.#stopping) throw new Error('SERVICE_UNAVAILABLE');
    const claims = this.tokens.verify((socket.handshake.auth as { token?: unknown }).token);
    if (!claims) throw new Error('CONFERENCE_TOKEN_INVALID');
    if ((this.#coolingOff.get(claims.pid) ?? 0) > Date.now()) throw new Error('TOO_MANY_REQUESTS');
    const admissible = await this.conferences.isAdmissible(claims).catch(() => {
      throw new Error('SERVICE_UNAVAILABLE');
    });
    if (!admissible) throw new Error('CONFERENCE_TOKEN_INVALID');
    const prepared = (socket.handshake.auth as Partial<ConferenceSocketAuth>).prepare === true;
    if (prepared && this.#preparedIn(claims.room) >= MAX_PREPARED_PER_ROOM) throw new Error('TOO_MANY_REQUESTS');
    await this.conferences.claim(claims.room).catch((error: unknown) => {
      // Socket.IO hands `data` to the client's connect_error: the address of the node to connect to instead.
      if (error instanceof RoomOnOtherNode) throw Object.assign(new Error('ROOM_ON_OTHER_NODE'), { data: { nodeUrl: error.nodeUrl } });
      throw new Error('SERVICE_UNAVAILABLE');
    });
    socket.data.claims = claims;
    socket.data.prepared = prepared;
    socket.data.inFlight = 0;
    socket.data.budget = new SocketEventBudget(this.#limits);
    const preferred = socket.handshake.headers['accept-language']?.slice(0, 2);
    socket.data.language = isLanguage(preferred) ? preferred : DEFAULT_LANGUAGE;
  }

  async handleConnection(socket: ConferenceSocket): Promise<void> {
    const { claims } = socket.data;
    socket.use((packet, next) => this.#spend(socket, packet, next));
    // Requests that arrive while the participant is still being seated wait for it.
    let seated: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (seated = resolve));
    for (const name of REQUEST_NAMES) {
      socket.on(name, (payload: unknown, ack: unknown) => void ready.then(() => this.#answer(socket, name, payload, ack)));
    }
    // A participant has one connection waiting to enter at most: an older one goes.
    this.#prepared.get(claims.pid)?.disconnect(true);
    let entered: EnterAck | null = null;
    if (socket.data.prepared) {
      entered = await this.#awaitEnter(socket);
      if (!entered) return;
    }
    try {
      await this.conferences.connect(claims, {
        id: socket.id,
        notify: (event) => this.#tellBrowser(socket, event),
        send: (event, ...payload) => socket.emit(event, ...payload),
        close: () => this.#closeAfterAcks(socket),
      });
      // The socket may have gone while the participant was being seated: then it counts as a dropped connection now.
      if (socket.disconnected) return this.conferences.disconnected(claims.pid, socket.id);
      this.#renewTokens(socket);
      seated();
      entered?.({ ok: true, data: {} });
    } catch (error) {
      // Another node took the room while this socket waited: the browser connects again through the front door.
      if (entered && error instanceof RoomOnOtherNode) {
        entered({ ok: false, error: toErrorResponse(new ApiException('ROOM_ON_OTHER_NODE'), socket.data.language, this.#logger).body });
        socket.disconnect(true);
        return;
      }
      entered?.({ ok: false, error: toErrorResponse(error, socket.data.language, this.#logger).body });
      const locked = error instanceof ApiException && error.code === 'ROOM_LOCKED';
      if (!locked) this.#logger.error(`Could not connect ${claims.pid} to room ${claims.room}: ${(error as Error).message}`);
      socket.emit('conference:ended', { reason: locked ? 'room-locked' : 'error' });
      socket.disconnect(true);
    }
  }

  /**
   * A prepared socket waits here for the join click: seen by nobody, sent nothing. It is closed
   * when its token runs out, since it could not connect anew after that either; its acknowledgement
   * callback is answered once the participant is seated (or refused).
   */
  #awaitEnter(socket: ConferenceSocket): Promise<EnterAck | null> {
    const { pid, exp } = socket.data.claims;
    this.#prepared.set(pid, socket);
    return new Promise((resolve) => {
      const settle = (ack: EnterAck | null) => {
        clearTimeout(limit);
        socket.off('disconnect', dropped);
        if (this.#prepared.get(pid) === socket) this.#prepared.delete(pid);
        resolve(ack);
      };
      const dropped = () => settle(null);
      const limit = setTimeout(() => {
        settle(null);
        socket.disconnect(true);
      }, exp - Date.now()).unref();
      socket.on('disconnect', dropped);
      socket.once('conference:enter', (_payload: unknown, ack: unknown) => settle(typeof ack === 'function' ? (ack as EnterAck) : () => undefined));
    });
  }

  #preparedIn(roomNumber: string): number {
    let count = 0;
    for (const socket of this.#prepared.values()) if (socket.data.claims.room === roomNumber) count++;
    return count;
  }

  handleDisconnect(socket: ConferenceSocket): void {
    clearInterval(socket.data.renewal);
    clearTimeout(socket.data.closeLimit);
    if (socket.data.claims) this.conferences.disconnected(socket.data.claims.pid, socket.id);
  }

  /**
   * The browser renders the conference state it is sent; of the conference's events it only
   * needs to hear why its conference ended and that its media must be set up anew.
   */
  #tellBrowser(socket: ConferenceSocket, event: ConferenceEvent): void {
    switch (event.type) {
      case 'ended':
        socket.emit('conference:ended', { reason: event.reason });
        return;
      case 'media-reset':
        socket.emit('media:reset');
        return;
      case 'moved':
        socket.emit('conference:moved');
        return;
      case 'waiting':
      case 'admitted':
      case 'microphone-changed':
      case 'someone-entered':
      case 'someone-left':
      case 'moderator-left':
        return;
    }
  }

  /** Every incoming event, whatever its name, costs one token of the socket's budget. */
  #spend(socket: ConferenceSocket, packet: unknown[], next: (error?: Error) => void): void {
    const verdict = socket.data.budget.take();
    if (verdict === 'ok') return next();
    const ack = packet.at(-1);
    if (typeof ack === 'function') {
      (ack as (result: SocketResult<never>) => void)({
        ok: false,
        error: toErrorResponse(new ApiException('TOO_MANY_REQUESTS'), socket.data.language, this.#logger).body,
      });
    }
    if (verdict === 'abusive' && socket.connected) this.#expel(socket);
  }

  #expel(socket: ConferenceSocket): void {
    const { pid, room } = socket.data.claims;
    const now = Date.now();
    for (const [id, until] of this.#coolingOff) if (until <= now) this.#coolingOff.delete(id);
    this.#coolingOff.set(pid, now + ABUSE_COOL_OFF_MS);
    this.#logger.warn(
      `Socket event flood: participant ${pid} in room ${room} from ${socket.handshake.address} had ${this.#limits.abuseRefusals} events refused within ${ABUSE_WINDOW_MS / 1000} s; disconnected, refused for ${ABUSE_COOL_OFF_MS / 1000} s`,
    );
    socket.disconnect(true);
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
