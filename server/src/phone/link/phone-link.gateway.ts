import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { conferenceRequestSchemas, DEFAULT_LANGUAGE, type ConferenceRequestName, type SocketResult } from '@konferenz/shared';
import { phoneRtpCapabilities, type MediaRoom } from '@konferenz/sfu';
import { ApiException } from '../../common/api-exception';
import { toErrorResponse } from '../../common/error-response';
import { validate } from '../../common/validate';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ConferenceService } from '../../conference/conference.service';
import { JOIN_TOKENS } from '../../conference/conference.tokens';
import type { JoinClaims, JoinTokens } from '../../conference/join-token';
import type { MediaListener } from '../../conference/room-media-session';
import { LocalPhoneConference } from '../local-phone-conference';
import { NodeLinkKey } from './node-link-key';
import { roomCallSchemas } from './room-call-schemas';
import {
  PHONE_LINK_NAMESPACE,
  ROOM_METHODS,
  type LinkAck,
  type LinkedRoom,
  type PhoneLinkNews,
  type PhoneLinkRequests,
  type RoomEvent,
  type RoomMethod,
} from './phone-link-protocol';

/** A bridge's answer to "hear this producer" that does not come within this long counts as no. */
const HEAR_TIMEOUT_MS = 5_000;

interface LinkState {
  claims: JoinClaims;
  /** The caller in this node's conference, as for a call answered here. */
  conference: LocalPhoneConference;
  /** The media room the caller's bridge works on, as one generation; undefined until asked for, and again after a reset. */
  room?: { generation: number; media: MediaRoom; hear: (event: RoomEvent) => void };
  generation: number;
  /** Room peers this link made: the caller's own and its room mix's (`phone-mix-…`). */
  peers: Set<string>;
  /** Producers this link made (the caller's microphone): the only ones it may pause. */
  producers: Set<string>;
  listener?: MediaListener;
}
type LinkSocket = Socket<PhoneLinkRequests, PhoneLinkNews, Record<string, never>, LinkState>;

const MIX_PEER = /^phone-mix-[0-9a-f]{12}$/;

/**
 * The owner's end of the phone link (phone-link-protocol.ts): seats a caller another node
 * answered in the conference this node runs, answers its requests and media room operations on
 * its behalf, and sends it the conference's news. Only nodes get in (the join token and the node
 * proof); even so each link acts only as its caller: its own requests, its own and its mix's room
 * peers, its own producer. A namespace of the Socket.IO server ConferenceGateway configures (its
 * limits hold here too).
 */
@WebSocketGateway({ namespace: PHONE_LINK_NAMESPACE })
export class PhoneLinkGateway implements OnGatewayInit<Namespace>, OnGatewayConnection<LinkSocket>, OnGatewayDisconnect<LinkSocket>, BeforeApplicationShutdown {
  readonly #logger = new Logger('PhoneLink');
  readonly #key: NodeLinkKey;
  readonly #mediaHost: string | null;
  /** The links of each media room, so a room has one set of listeners however many callers are linked to it. */
  readonly #roomLinks = new Map<MediaRoom, { links: Set<LinkSocket>; unsubscribe: () => void }>();
  #namespace?: Namespace;
  #stopping = false;

  constructor(
    private readonly conferences: ConferenceService,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.#key = new NodeLinkKey(config.secrets.session);
    this.#mediaHost = config.cluster?.mediaHost ?? null;
  }

  afterInit(namespace: Namespace): void {
    this.#namespace = namespace;
    namespace.use((socket, next) => {
      const { token, proof } = socket.handshake.auth as { token?: unknown; proof?: unknown };
      if (this.#stopping) return next(new Error('SERVICE_UNAVAILABLE'));
      const claims = this.#key.verifies(token, proof) ? this.tokens.verify(token) : null;
      if (!claims) return next(new Error('FORBIDDEN'));
      const state = socket.data as LinkState;
      const conference = new LocalPhoneConference(this.conferences, claims, socket.id);
      Object.assign(state, { claims, conference, generation: 0, peers: new Set([claims.pid]), producers: new Set() });
      next();
    });
  }

  handleConnection(socket: LinkSocket): void {
    const { conference } = socket.data;
    socket.on('conference:join', (ack) => void this.#answer(ack, () => this.#join(socket)));
    socket.on(
      'conference:request',
      (name, payload, ack) =>
        void this.#answer(ack, () => {
          if (!Object.hasOwn(conferenceRequestSchemas, name)) throw new ApiException('VALIDATION_FAILED');
          return conference.request(name, validate(conferenceRequestSchemas[name as ConferenceRequestName], payload) as never);
        }),
    );
    socket.on('conference:participantCount', (ack) => void this.#answer(ack, () => conference.participantCount()));
    socket.on('conference:isLocked', (ack) => void this.#answer(ack, () => conference.isLocked()));
    socket.on('media:room', (ack) => void this.#answer(ack, () => this.#linkRoom(socket)));
    socket.on('media:attach', (ack) => void this.#answer(ack, () => this.#attach(socket)));
    socket.on('media:detach', () => this.#detach(socket));
    socket.on('room:call', (generation, method, args, ack) => void this.#answer(ack, () => this.#roomCall(socket, generation, method, args)));
  }

  handleDisconnect(socket: LinkSocket): void {
    const state = socket.data;
    if (!state.claims) return;
    this.#detach(socket);
    // The far node's bridge and mix are gone with the link: so are their peers here.
    if (state.room) {
      this.#unlink(socket, state.room.media);
      for (const peer of state.peers) state.room.media.closePeer(peer);
    }
    state.conference.close();
  }

  /** The node stops: its conferences move, and the callers' nodes take them to the next owner. */
  beforeApplicationShutdown(): void {
    this.#stopping = true;
    this.#namespace?.emit('conference:event', { type: 'moved' });
    this.#namespace?.disconnectSockets(true);
  }

  async #join(socket: LinkSocket): Promise<null> {
    // This node must (still) run the room: a stopping node, or one that lost it, sends the caller on.
    await this.conferences.claim(socket.data.claims.room);
    // A link that goes while the caller is being seated closes the conference (handleDisconnect): a dropped connection from then.
    await socket.data.conference.join({
      event: (event) => socket.emit('conference:event', event),
      attributes: (attributes) => socket.emit('conference:attributes', attributes),
      lost: () => socket.emit('conference:event', { type: 'moved' }),
      closed: () => {
        socket.emit('conference:closed');
        setImmediate(() => socket.disconnect(true));
      },
    });
    return null;
  }

  /**
   * The room the caller's bridge is to work on. A room reset (worker death) or closed ends a
   * generation: its peers are gone, and the next request gets a new one, as if a new room.
   */
  async #linkRoom(socket: LinkSocket): Promise<LinkedRoom> {
    const media = await this.conferences.mediaRoom(socket.data.claims.pid);
    const state = socket.data;
    if (state.room?.media !== media) {
      if (state.room) this.#unlink(socket, state.room.media);
      const generation = ++state.generation;
      const hear = (event: RoomEvent) => {
        if (event.type === 'consumerClosed' && !state.peers.has(event.peerId)) return;
        socket.emit('room:event', generation, event);
        if (event.type !== 'consumerClosed' && state.room?.generation === generation) {
          this.#unlink(socket, media);
          state.room = undefined;
        }
      };
      state.room = { generation, media, hear };
      state.peers = new Set([state.claims.pid]);
      state.producers.clear();
      this.#link(socket, media);
    }
    return { generation: state.room.generation, rtpCapabilities: media.rtpCapabilities };
  }

  #link(socket: LinkSocket, media: MediaRoom): void {
    let entry = this.#roomLinks.get(media);
    if (!entry) {
      const links = new Set<LinkSocket>();
      const tell = (event: RoomEvent) => {
        for (const link of [...links]) link.data.room?.hear(event);
      };
      const onConsumerClosed = ({ peerId, consumerId }: { peerId: string; consumerId: string }) => tell({ type: 'consumerClosed', peerId, consumerId });
      const onReset = () => tell({ type: 'reset' });
      const onClose = () => tell({ type: 'close' });
      media.on('consumerClosed', onConsumerClosed);
      media.on('reset', onReset);
      media.on('close', onClose);
      const unsubscribe = () => {
        media.off('consumerClosed', onConsumerClosed);
        media.off('reset', onReset);
        media.off('close', onClose);
      };
      entry = { links, unsubscribe };
      this.#roomLinks.set(media, entry);
    }
    entry.links.add(socket);
  }

  #unlink(socket: LinkSocket, media: MediaRoom): void {
    const entry = this.#roomLinks.get(media);
    if (!entry?.links.delete(socket) || entry.links.size > 0) return;
    entry.unsubscribe();
    this.#roomLinks.delete(media);
  }

  async #attach(socket: LinkSocket): Promise<null> {
    const listener: MediaListener = {
      hear: (producerId) =>
        socket
          .timeout(HEAR_TIMEOUT_MS)
          .emitWithAck('listener:hear', producerId)
          .catch(() => false),
    };
    socket.data.listener = listener;
    await socket.data.conference.attachMediaListener(listener);
    return null;
  }

  #detach(socket: LinkSocket): void {
    const { listener, conference } = socket.data;
    socket.data.listener = undefined;
    if (listener) conference.detachMediaListener(listener);
  }

  async #roomCall(socket: LinkSocket, generation: unknown, method: unknown, args: unknown): Promise<unknown> {
    const state = socket.data;
    if (!ROOM_METHODS.includes(method as RoomMethod)) throw new ApiException('VALIDATION_FAILED');
    const room = state.room;
    // A call for a room that has since been reset: that room's peers are gone already.
    if (!room || generation !== room.generation) throw new ApiException('MEDIA_FAILED');
    const call = validate(roomCallSchemas[method as RoomMethod], args);
    const { media } = room;
    const ownPeer = (peerId: string) => {
      if (state.peers.has(peerId)) return peerId;
      // The far node's room mix introduces its peer first (its capabilities), under a fresh random name.
      if (call.method === 'setRtpCapabilities' && MIX_PEER.test(peerId) && media.producersOf(peerId).length === 0) {
        state.peers.add(peerId);
        return peerId;
      }
      throw new ApiException('FORBIDDEN');
    };
    switch (call.method) {
      case 'setRtpCapabilities':
        // Whatever the far node asks for, a linked mix consumes what a phone mix does here: Opus audio, no video.
        return media.setRtpCapabilities(ownPeer(call.args[0]), phoneRtpCapabilities(media.rtpCapabilities));
      case 'createPlainTransport': {
        const transport = await media.createPlainTransport(ownPeer(call.args[0]), { comedia: true });
        return this.#mediaHost ? { ...transport, ip: this.#mediaHost } : transport;
      }
      case 'produce': {
        // Only the caller speaks, and only as a microphone.
        if (call.args[0] !== state.claims.pid) throw new ApiException('FORBIDDEN');
        const producerId = await media.produce(state.claims.pid, call.args[1], 'audio', call.args[3] as never, { source: 'microphone' });
        state.producers.add(producerId);
        return producerId;
      }
      case 'setProducerPaused':
        if (!state.producers.has(call.args[0])) throw new ApiException('FORBIDDEN');
        return media.setProducerPaused(call.args[0], call.args[1]);
      case 'consume':
        return media.consume(ownPeer(call.args[0]), call.args[1]);
      case 'resumeConsumer':
        return media.resumeConsumer(ownPeer(call.args[0]), call.args[1]);
      case 'closePeer':
        media.closePeer(ownPeer(call.args[0]));
        if (call.args[0] !== state.claims.pid) state.peers.delete(call.args[0]);
        return undefined;
    }
  }

  async #answer<T>(ack: LinkAck<T> | unknown, work: () => Promise<T>): Promise<void> {
    if (typeof ack !== 'function') return;
    const reply = ack as LinkAck<T>;
    try {
      reply({ ok: true, data: await work() } as SocketResult<T>);
    } catch (error) {
      reply({ ok: false, error: toErrorResponse(error, DEFAULT_LANGUAGE, this.#logger).body });
    }
  }
}
