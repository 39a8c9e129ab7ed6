import { io, type Socket } from 'socket.io-client';
import type { ConferenceRequest, ConferenceRequestName, ConferenceResponses, ErrorCode, SocketResult } from '@konferenz/shared';
import type { PhoneBridgeRoom } from '@konferenz/sfu';
import { ApiException } from '../../common/api-exception';
import type { MediaListener } from '../../conference/room-media-session';
import type { PhoneConference, PhoneConferenceListener } from '../phone-conference';
import type { NodeLinkKey } from './node-link-key';
import {
  PHONE_LINK_NAMESPACE,
  type LinkedRoom,
  type PhoneLinkNews,
  type PhoneLinkRequests,
  type RoomArguments,
  type RoomMethod,
  type RoomMethodResults,
} from './phone-link-protocol';
import { RemoteBridgeRoom } from './remote-bridge-room';

/** Connecting to the owner node, and each request over the link, fail after this long rather than leave the caller in silence. */
const LINK_TIMEOUT_MS = 4_000;
/** See attachMediaListener. */
const ATTACH_TIMEOUT_MS = 30_000;

type LinkSocket = Socket<PhoneLinkNews, PhoneLinkRequests>;

/**
 * A caller in a conference another node runs: the phone link to that node (phone-link-protocol.ts).
 * The link does not reconnect by itself: when it drops, the conference may well run somewhere
 * else by now, so the caller is `lost` and PhoneParticipant finds where it runs.
 */
export class RemotePhoneConference implements PhoneConference {
  readonly #socket: LinkSocket;
  #listener?: PhoneConferenceListener;
  #mediaListener?: MediaListener;
  #room?: RemoteBridgeRoom;
  #closed = false;

  private constructor(
    readonly location: string,
    socket: LinkSocket,
  ) {
    this.#socket = socket;
    socket.on('conference:event', (event) => {
      if (this.#closed) return;
      if (event.type === 'moved') return this.#lost();
      this.#listener?.event(event);
    });
    socket.on('conference:attributes', (attributes) => !this.#closed && this.#listener?.attributes(attributes));
    socket.on('conference:closed', () => {
      if (this.#closed) return;
      this.close();
      this.#listener?.closed();
    });
    socket.on('room:event', (generation, event) => {
      if (this.#room?.generation === generation) this.#room.receive(event);
    });
    socket.on('listener:hear', (producerId, ack) => {
      const listener = this.#mediaListener;
      if (!listener || typeof ack !== 'function') return typeof ack === 'function' && ack(false);
      void listener.hear(producerId).then(
        (heard) => ack(heard === true),
        () => ack(false),
      );
    });
    socket.on('disconnect', () => this.#lost());
  }

  /** Opens the link to the node at `nodeUrl` for the caller holding `token`; rejects (SERVICE_UNAVAILABLE) when it cannot be opened in time. */
  static open(nodeUrl: string, token: string, key: NodeLinkKey): Promise<RemotePhoneConference> {
    const socket: LinkSocket = io(`${nodeUrl}${PHONE_LINK_NAMESPACE}`, {
      auth: { token, proof: key.prove(token) },
      transports: ['websocket'],
      reconnection: false,
      timeout: LINK_TIMEOUT_MS,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => {
        socket.off('connect_error');
        resolve(new RemotePhoneConference(nodeUrl, socket));
      });
      socket.once('connect_error', (error) => {
        socket.close();
        reject(new ApiException(error.message === 'FORBIDDEN' ? 'FORBIDDEN' : 'SERVICE_UNAVAILABLE'));
      });
    });
  }

  async join(listener: PhoneConferenceListener): Promise<void> {
    this.#listener = listener;
    await this.#ask('conference:join');
  }

  request<N extends ConferenceRequestName>(name: N, payload: ConferenceRequest<N>): Promise<ConferenceResponses[N]> {
    return this.#ask('conference:request', name, payload) as Promise<ConferenceResponses[N]>;
  }

  participantCount(): Promise<number> {
    return this.#ask('conference:participantCount');
  }

  isLocked(): Promise<boolean> {
    return this.#ask('conference:isLocked');
  }

  async mediaRoom(): Promise<PhoneBridgeRoom> {
    const linked: LinkedRoom = await this.#ask('media:room');
    if (this.#room?.generation === linked.generation && !this.#room.gone) return this.#room;
    this.#room?.receive({ type: 'close' });
    this.#room = new RemoteBridgeRoom(linked, (generation, method, args) => this.#roomCall(generation, method, args));
    return this.#room;
  }

  /** The owner lets the bridge hear every microphone of the room before it answers: a round trip each, so this may take longer than other requests. */
  async attachMediaListener(listener: MediaListener): Promise<void> {
    this.#mediaListener = listener;
    await this.#askWithin(ATTACH_TIMEOUT_MS, 'media:attach');
  }

  detachMediaListener(listener: MediaListener): void {
    if (this.#mediaListener !== listener) return;
    this.#mediaListener = undefined;
    if (this.#socket.connected) this.#socket.emit('media:detach');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room?.receive({ type: 'close' });
    this.#socket.close();
  }

  #lost(): void {
    if (this.#closed) return;
    this.close();
    this.#listener?.lost();
  }

  #roomCall<M extends RoomMethod>(generation: number, method: M, args: RoomArguments<M>): Promise<RoomMethodResults[M]> {
    return this.#ask('room:call', generation, method, args as unknown[]) as Promise<RoomMethodResults[M]>;
  }

  #ask<E extends keyof PhoneLinkRequests>(event: E, ...args: unknown[]): Promise<ResultOf<E>> {
    return this.#askWithin(LINK_TIMEOUT_MS, event, ...args);
  }

  /** One request over the link; its error answer is thrown as the ApiException it was on the owner node. */
  async #askWithin<E extends keyof PhoneLinkRequests>(timeoutMs: number, event: E, ...args: unknown[]): Promise<ResultOf<E>> {
    if (this.#closed) throw new ApiException('SERVICE_UNAVAILABLE');
    let result: SocketResult<ResultOf<E>>;
    try {
      result = await (this.#socket.timeout(timeoutMs).emitWithAck as (event: E, ...args: unknown[]) => Promise<SocketResult<ResultOf<E>>>)(event, ...args);
    } catch {
      throw new ApiException('SERVICE_UNAVAILABLE');
    }
    if (!result.ok) throw new ApiException(result.error.code as ErrorCode);
    return result.data;
  }
}

type ResultOf<E extends keyof PhoneLinkRequests> = Parameters<PhoneLinkRequests[E]> extends [...unknown[], (result: SocketResult<infer T>) => void] ? T : never;
