import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { MediaPlane, MediaRoom } from '@konferenz/sfu';
import type { ConferenceEndReason, ConferenceRequest, ConferenceRequestName, ConferenceResponses } from '@konferenz/shared';
import { CONFERENCE_RECORDS, type ConferenceRecords } from '../cluster/conference-records';
import { RoomOnOtherNode, ROOM_OWNERSHIP, type RoomOwnership } from '../cluster/room-ownership';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RoomAccess } from '../rooms/room-access.service';
import { Conference, isHeldMuted, NO_MEDIA, type Participant } from './conference';
import { ConferenceChat } from './conference-chat';
import { ConferenceInvitations } from './conference-invitations';
import type { ConferenceEvent } from './conference-events';
import { CONFERENCE_MARKS, type ConferenceMarks } from './conference-marks';
import { conferenceRequestTable } from './conference-request-table';
import { dispatchRequest, type RequestHandlers } from './conference-requests';
import { GracePeriods } from './grace-periods';
import type { JoinClaims } from './join-token';
import type { LiveConference } from './live-conference';
import { MEDIA_PLANE } from './media-plane.provider';
import type { ParticipantConnection } from './participant-connection';
import { RoomMediaSession, type MediaListener, type MediaSessionHooks } from './room-media-session';

/**
 * The single source of truth for every live conference: who is in, who waits, who moderates,
 * and the timers that decide what a dropped connection means. Browsers reach it through the
 * Socket.IO gateway, phones through the phone application (server/src/phone); both hand over a
 * ParticipantConnection, which it tells what happens (ConferenceEvent) and sends the browsers'
 * state. Requests are answered by the request table (conference-request-table.ts), served by this
 * class with the operations that touch its state. All state sits behind this class, so moving it
 * to a shared store later changes nothing else; what must outlive the process (removals, ends,
 * locks) is kept in ConferenceMarks.
 */
@Injectable()
export class ConferenceService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly #logger = new Logger('Conference');
  readonly #live = new Map<string, LiveConference>();
  readonly #connections = new Map<string, ParticipantConnection>();
  /** Which room each participant is in, so requests find their conference without a search. */
  readonly #roomOf = new Map<string, string>();
  readonly #grace = new GracePeriods();
  /** Every request the participants may make, by name: see conference-requests.ts for who may make which. */
  readonly #requests: RequestHandlers;
  #lockConfirmer: NodeJS.Timeout | undefined;
  /** The server is stopping: dropped connections are expected back after the restart, not counted as leaving. */
  #stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MEDIA_PLANE) private readonly plane: MediaPlane,
    @Inject(CONFERENCE_MARKS) private readonly marks: ConferenceMarks,
    private readonly access: RoomAccess,
    @Inject(ROOM_OWNERSHIP) private readonly ownership: RoomOwnership,
    @Inject(CONFERENCE_RECORDS) private readonly records: ConferenceRecords,
    invitations: ConferenceInvitations,
  ) {
    plane.on('roomReset', (roomNumber: string) => this.#mediaReset(roomNumber));
    ownership.onLost((roomNumber) => this.#moved(roomNumber));
    ownership.holdWhile((roomNumber) => this.#live.has(roomNumber));
    this.#requests = conferenceRequestTable({
      marks,
      mediaOf: (live) => this.#media(live),
      mute: (live, participant) => this.#mute(live, participant),
      remove: (participantId, reason) => this.#remove(participantId, reason),
      end: (live, reason) => this.#end(live, reason),
      broadcast: (live) => this.#broadcast(live),
      admitted: (live, participants) => {
        this.#tellAdmitted(live, participants);
        this.#tellEntered(live, participants);
      },
      deliverChat: (live, message) => {
        for (const receiver of this.#receivers(live)) this.#connections.get(receiver)?.send('chat:message', message);
      },
      invitation: (roomNumber, role) => invitations.forRole(roomNumber, role),
      leave: async (participantId) => {
        // During a stop this is a phone hung up by the stop, not a participant leaving (see stop()).
        if (!this.#stopping) await this.#remove(participantId, 'left');
      },
    });
  }

  /** A lock mark expires unless confirmed: a lock of a conference nobody came back to after a crash does not last. */
  onModuleInit(): void {
    this.#lockConfirmer = setInterval(() => void this.#confirmLocks(), this.config.conference.tokenTtlMs / 2);
    this.#lockConfirmer.unref();
  }

  /** A token stops working when its holder was removed or its conference ended after it was issued. */
  isAdmissible(claims: JoinClaims): Promise<boolean> {
    return this.marks.admits(claims);
  }

  async isLocked(roomNumber: string): Promise<boolean> {
    const live = this.#live.get(roomNumber);
    return live ? live.conference.locked : this.marks.isLocked(roomNumber);
  }

  /**
   * Makes sure this node runs the room's conference before a participant is seated here: throws
   * RoomOnOtherNode (with that node's address) when another node runs it, SERVICE_UNAVAILABLE when
   * that cannot be known (Redis down). A conference already live here is this node's by its lease.
   */
  async claim(roomNumber: string): Promise<void> {
    // A stopping node has given its rooms up, though their conferences are still in memory here.
    if (this.#live.has(roomNumber) && !this.#stopping) return;
    const claim = await this.ownership.claim(roomNumber);
    if (!claim.owned) throw new RoomOnOtherNode(claim.nodeUrl);
  }

  async connect(claims: JoinClaims, connection: ParticipantConnection, via: Participant['via'] = 'browser'): Promise<void> {
    if (!(await this.isAdmissible(claims))) throw new ApiException('CONFERENCE_TOKEN_INVALID');
    const live = this.#live.get(claims.room) ?? (await this.#open(claims.room));
    const known = live.conference.find(claims.pid);
    const hadModerator = live.conference.moderatorPresent;
    const admitted = live.conference.arrive({ id: claims.pid, displayName: claims.name, role: claims.role, via });
    this.#roomOf.set(claims.pid, claims.room);
    this.#grace.cancel(claims.pid);
    const previous = this.#connections.get(claims.pid);
    this.#connections.set(claims.pid, connection);
    if (previous && previous.id !== connection.id) previous.close();
    // A returning participant sets up media afresh on the new connection.
    if (known) await this.#withMedia(live, (media) => media.closePeer(claims.pid));
    this.#broadcast(live);
    this.#tellArrival(live, claims.pid, admitted, hadModerator);
  }

  /** The connection dropped: the participant stays listed for the grace period, then leaves. */
  disconnected(participantId: string, connectionId: string): void {
    if (this.#stopping || this.#connections.get(participantId)?.id !== connectionId) return;
    this.#connections.delete(participantId);
    const live = this.#liveOf(participantId);
    const participant = live?.conference.find(participantId);
    if (!live || !participant) return;
    participant.connected = false;
    this.#broadcast(live);
    this.#grace.start(
      participantId,
      this.config.conference.moderatorGraceMs,
      () => void this.#remove(participantId, null).catch((error: Error) => this.#logger.error(`Removing ${participantId} failed: ${error.message}`)),
    );
  }

  /**
   * `connectionId`, when given, must be the participant's current connection: a tab that was
   * replaced by a newer one (or its requests still in flight) cannot act on the newer one's media.
   */
  async request<N extends ConferenceRequestName>(
    participantId: string,
    name: N,
    payload: ConferenceRequest<N>,
    connectionId?: string,
  ): Promise<ConferenceResponses[N]> {
    const live = this.#liveOf(participantId);
    const participant = live?.conference.find(participantId);
    if (!live || !participant) throw new ApiException('CONFERENCE_TOKEN_INVALID');
    if (connectionId !== undefined && this.#connections.get(participantId)?.id !== connectionId) {
      throw new ApiException('CONFERENCE_TOKEN_INVALID');
    }
    return dispatchRequest(this.#requests, name, { live, participant }, payload);
  }

  /**
   * The media room of an admitted participant's conference, for a phone's audio bridge (which
   * works on the room directly: a plain transport instead of the browsers' media requests).
   */
  async mediaRoom(participantId: string): Promise<MediaRoom> {
    const live = this.#liveOf(participantId);
    if (live?.conference.find(participantId)?.state !== 'admitted') throw new ApiException('NOT_ADMITTED');
    return (await this.#media(live)).room;
  }

  /**
   * A phone's bridge hears the room's audio from now on (and is never offered browser consumers).
   * Muted by a moderator (or by the room on entry) before its microphone existed, it starts
   * paused, like a browser's microphone produced later (media-requests.ts).
   */
  async attachMediaListener(participantId: string, listener: MediaListener): Promise<void> {
    const live = this.#liveOf(participantId);
    const participant = live?.conference.find(participantId);
    if (!live || participant?.state !== 'admitted') throw new ApiException('NOT_ADMITTED');
    const media = await this.#media(live);
    await media.attachListener(participantId, listener);
    if (isHeldMuted(participant)) await media.muteMicrophone(participantId);
  }

  /** Admitted participants in the participant's conference; none for someone waiting, who sees nobody. */
  participantCount(participantId: string): number {
    const live = this.#liveOf(participantId);
    return live?.conference.find(participantId)?.state === 'admitted' ? this.#admittedCount(live) : 0;
  }

  detachMediaListener(participantId: string, listener: MediaListener): void {
    const live = this.#liveOf(participantId);
    if (live?.media) void live.media.then((media) => media.detachListener(participantId, listener)).catch(() => undefined);
  }

  onModuleDestroy(): void {
    this.#stopping = true;
    clearInterval(this.#lockConfirmer);
    this.#grace.cancelAll();
  }

  /**
   * The server is about to stop (a restart, usually): connections that close and phones hung up
   * from here on belong to the stop, not to participants leaving, so no conference ends, no
   * moderator-left policy runs and no lock is lifted because of it. With several nodes, its rooms
   * are freed first, so the browsers told to move find them free on another node.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.ownership.releaseAll();
    // Several nodes: the conferences run elsewhere from now on, and nothing here may act on them
    // any more (timers, records, marks) while this node drains its calls. Everyone is told they
    // moved: browsers reconnect through the front door, callers are seated again by the node
    // that answered them (phone-participant.ts), linked ones too.
    if (this.config.cluster) for (const roomNumber of [...this.#live.keys()]) this.#moved(roomNumber);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** The mediasoup workers are child processes: they go with the server. */
  async onApplicationShutdown(): Promise<void> {
    await this.plane.close();
  }

  async #open(roomNumber: string): Promise<LiveConference> {
    await this.claim(roomNumber);
    const [settings, locked, record] = await Promise.all([
      this.access.settings(roomNumber),
      this.marks.isLocked(roomNumber),
      // Without its record (Redis failing) a moved conference still opens: everyone is back, as newcomers.
      this.records.load(roomNumber).catch(() => null),
    ]);
    const live: LiveConference = { conference: new Conference(roomNumber, settings), chat: new ConferenceChat() };
    // A conference locked before a restart is locked again when its participants come back.
    live.conference.locked = locked;
    // Moved here from another node: who was in, muted or had a hand up is so again on arrival.
    if (record) live.conference.restore(record);
    // Another participant may have opened it while the settings loaded.
    const existing = this.#live.get(roomNumber);
    if (existing) return existing;
    this.#live.set(roomNumber, live);
    this.#awaitModerators(live);
    return live;
  }

  /**
   * A moved conference's moderators get the reconnect grace period here too: if none is back when
   * it runs out, the room's "when the moderator leaves" policy applies, as it would have on the
   * node they were on. A moderator's arrival cancels their timer (connect()).
   */
  #awaitModerators(live: LiveConference): void {
    for (const moderatorId of live.conference.awaitedModerators) {
      this.#grace.start(moderatorId, this.config.conference.moderatorGraceMs, () => {
        if (this.#live.get(live.conference.roomNumber) !== live || live.conference.moderatorPresent) return;
        void this.#applyModeratorLeavesPolicy(live)
          .then(() => {
            if (this.#live.get(live.conference.roomNumber) !== live) return;
            this.#broadcast(live);
            this.#tellWaiting(live);
          })
          .catch((error: Error) => this.#logger.error(`Room ${live.conference.roomNumber}: leave policy failed: ${error.message}`));
      });
    }
  }

  async #mute(live: LiveConference, participant: Participant): Promise<void> {
    participant.mutedByModerator = true;
    await this.#withMedia(live, (media) => media.muteMicrophone(participant.id));
  }

  /**
   * `reason` null: the grace period ran out, the connection is already gone. The bookkeeping is
   * done before anything is awaited, so a failing media room cannot leave a participant behind.
   */
  async #remove(participantId: string, reason: ConferenceEndReason | null): Promise<void> {
    this.#grace.cancel(participantId);
    const live = this.#liveOf(participantId);
    if (!live) return;
    this.#dismiss(participantId, reason && { type: 'ended', reason });
    const wasInside = live.conference.find(participantId)?.state === 'admitted';
    const lastModeratorLeft = live.conference.depart(participantId);
    live.chat.forget(participantId);
    await this.#withMedia(live, (media) => media.closePeer(participantId));
    if (live.conference.isEmpty) return this.#close(live);
    if (lastModeratorLeft) await this.#applyModeratorLeavesPolicy(live);
    if (!this.#live.has(live.conference.roomNumber)) return;
    this.#broadcast(live);
    // Those waiting, including anyone just sent back, now wait without a moderator.
    if (lastModeratorLeft) this.#tellWaiting(live);
    // The last moderator's leaving is told by the policy ('moderator-left', or back to the waiting room).
    else if (wasInside && live.conference.settings.entryExitTones) this.#tellInside(live, { type: 'someone-left' });
  }

  async #applyModeratorLeavesPolicy(live: LiveConference): Promise<void> {
    switch (live.conference.settings.moderatorLeaves) {
      case 'continue':
        this.#tellInside(live, { type: 'moderator-left' });
        return;
      case 'end':
        // Nobody is waiting for an answer here: the conference ends even if the mark cannot be stored.
        await this.marks
          .markEnded(live.conference.roomNumber)
          .catch((error: Error) => this.#logger.error(`Room ${live.conference.roomNumber}: end not stored: ${error.message}`));
        return this.#end(live, 'moderator-left');
      case 'back-to-waiting': {
        const sent = live.conference.sendBackToWaiting();
        return this.#withMedia(live, (media) => sent.forEach((participant) => media.closePeer(participant.id)));
      }
    }
  }

  async #end(live: LiveConference, reason: ConferenceEndReason): Promise<void> {
    for (const participant of live.conference.participants) {
      this.#grace.cancel(participant.id);
      this.#dismiss(participant.id, { type: 'ended', reason });
    }
    await this.#close(live);
  }

  /** Forgets a participant's connection, telling it why first when there is a reason to give. */
  #dismiss(participantId: string, why: Extract<ConferenceEvent, { type: 'ended' | 'moved' }> | null): void {
    const connection = this.#connections.get(participantId);
    this.#connections.delete(participantId);
    this.#roomOf.delete(participantId);
    if (why && connection) {
      connection.notify(why);
      connection.close();
    }
  }

  async #close(live: LiveConference): Promise<void> {
    const { roomNumber } = live.conference;
    if (this.#live.get(roomNumber) === live) this.#live.delete(roomNumber);
    // The lock belongs to this conference; the next one in the room starts open.
    if (live.conference.locked) {
      await this.marks
        .setLocked(roomNumber, false)
        .catch((error: Error) => this.#logger.warn(`Room ${roomNumber}: lock mark kept (expires by itself): ${error.message}`));
    }
    await this.#withMedia(live, (media) => media.close());
    if (this.#live.has(roomNumber)) return;
    this.records.remove(roomNumber);
    await this.ownership
      .release(roomNumber)
      .catch((error: Error) => this.#logger.warn(`Room ${roomNumber}: claim kept until its lease runs out: ${error.message}`));
  }

  /**
   * Another node runs the room now (this one was cut off from Redis for longer than the lease, or
   * it stops): the conference here is given up without ending it; its participants reconnect and
   * are sent on.
   */
  #moved(roomNumber: string): void {
    const live = this.#live.get(roomNumber);
    if (!live) return;
    this.#live.delete(roomNumber);
    for (const participant of live.conference.participants) {
      this.#grace.cancel(participant.id);
      this.#dismiss(participant.id, { type: 'moved' });
    }
    void this.#withMedia(live, (media) => media.close());
  }

  /** Media clean-up never stops the conference bookkeeping: a failed or dead media room is logged and skipped. */
  async #withMedia(live: LiveConference, action: (media: RoomMediaSession) => unknown): Promise<void> {
    if (!live.media) return;
    try {
      await action(await live.media);
    } catch (error) {
      this.#logger.warn(`Media of room ${live.conference.roomNumber}: ${(error as Error).message}`);
    }
  }

  #media(live: LiveConference): Promise<RoomMediaSession> {
    if (live.media) return live.media;
    const hooks: MediaSessionHooks = {
      receivers: () => this.#receivers(live),
      members: () => this.#members(live),
      send: (peerId, event, ...payload) => this.#connections.get(peerId)?.send(event, ...payload),
      mediaChanged: () => this.#broadcast(live),
      microphoneChanged: (peerId, microphone) => this.#tell(peerId, { type: 'microphone-changed', microphone }),
      activeSpeaker: (peerId) => {
        live.conference.activeSpeakerId = peerId;
        for (const receiver of this.#receivers(live)) this.#connections.get(receiver)?.send('media:activeSpeaker', { participantId: peerId });
      },
    };
    const opening = this.plane.room(live.conference.roomNumber).then((room) => {
      // The SFU gives up a room it could not move to a live worker: the next request opens a new one.
      room.once('close', () => {
        if (live.media !== opening) return;
        live.media = undefined;
        this.#mediaReset(live.conference.roomNumber);
      });
      return new RoomMediaSession(room, hooks, this.config.turn);
    });
    live.media = opening;
    opening.catch((error: Error) => {
      this.#logger.error(`Media for room ${live.conference.roomNumber} failed: ${error.message}`);
      live.media = undefined;
    });
    return opening;
  }

  /** Browsers that receive media; phones hear the room through their bridge instead. */
  #receivers(live: LiveConference): string[] {
    return live.conference.participants
      .filter((participant) => participant.via !== 'phone' && participant.state === 'admitted' && this.#connections.has(participant.id))
      .map((participant) => participant.id);
  }

  #members(live: LiveConference): string[] {
    return live.conference.participants
      .filter((participant) => participant.state === 'admitted' && this.#connections.has(participant.id))
      .map((participant) => participant.id);
  }

  /** The room's media were rebuilt: every producer is gone, browsers set up media again. */
  #mediaReset(roomNumber: string): void {
    const live = this.#live.get(roomNumber);
    if (!live) return;
    // Phones rebuild their bridge on it, like browsers their transports.
    for (const member of this.#members(live)) this.#tell(member, { type: 'media-reset' });
    this.#broadcast(live);
  }

  /** Every change of a conference reaches its participants here, and its record for another node too. */
  #broadcast(live: LiveConference): void {
    if (this.#live.get(live.conference.roomNumber) === live) this.records.save(live.conference.roomNumber, () => live.conference.record());
    void (async () => {
      const media = live.media ? await live.media.catch(() => undefined) : undefined;
      const mediaOf = (id: string) => media?.summary(id) ?? NO_MEDIA;
      for (const participant of live.conference.participants) {
        const view = { ...live.conference.view(participant.id, mediaOf), videoLastN: this.config.conference.videoLastN };
        this.#connections.get(participant.id)?.send('conference:state', view);
      }
    })();
  }

  #tell(participantId: string, event: ConferenceEvent): void {
    this.#connections.get(participantId)?.notify(event);
  }

  /**
   * The new connection learns where its participant stands (a reconnect too), then the others
   * what the arrival changed for them: let in with the moderator, or told the moderator is there.
   */
  #tellArrival(live: LiveConference, arrivedId: string, admitted: Participant[], hadModerator: boolean): void {
    const arrived = live.conference.find(arrivedId);
    if (arrived?.state === 'admitted') {
      this.#tell(arrivedId, { type: 'admitted', from: 'arrival', participantCount: this.#admittedCount(live) });
      this.#sendChatHistory(live, [arrived]);
    } else if (arrived) this.#tell(arrivedId, { type: 'waiting', moderatorPresent: live.conference.moderatorPresent });
    this.#tellAdmitted(
      live,
      admitted.filter((participant) => participant.id !== arrivedId),
    );
    this.#tellEntered(live, admitted);
    if (!hadModerator && live.conference.moderatorPresent) this.#tellWaiting(live);
  }

  /** Participants let in from the waiting room (by a moderator, or by one's arrival). */
  #tellAdmitted(live: LiveConference, admitted: Participant[]): void {
    const participantCount = this.#admittedCount(live);
    for (const participant of admitted) this.#tell(participant.id, { type: 'admitted', from: 'waiting', participantCount });
    this.#sendChatHistory(live, admitted);
  }

  /** Those already inside, that `entering` came in (one notice for all of them), when the room wants entry tones. */
  #tellEntered(live: LiveConference, entering: Participant[]): void {
    if (entering.length === 0 || !live.conference.settings.entryExitTones) return;
    const entered = new Set(entering.map((participant) => participant.id));
    this.#tellInside(live, { type: 'someone-entered' }, entered);
  }

  /** Every admitted participant but those in `except`. */
  #tellInside(live: LiveConference, event: ConferenceEvent, except: ReadonlySet<string> = new Set()): void {
    for (const participant of live.conference.participants) {
      if (participant.state === 'admitted' && !except.has(participant.id)) this.#tell(participant.id, event);
    }
  }

  /** Those just inside read the chat so far; those waiting never see it. */
  #sendChatHistory(live: LiveConference, participants: Participant[]): void {
    const messages = live.chat.history;
    for (const participant of participants) {
      if (participant.via === 'browser' && participant.state === 'admitted') this.#connections.get(participant.id)?.send('chat:history', { messages });
    }
  }

  /** Everyone waiting, once whether a moderator is there has changed for them. */
  #tellWaiting(live: LiveConference): void {
    const { moderatorPresent } = live.conference;
    for (const participant of live.conference.participants) {
      if (participant.state === 'waiting') this.#tell(participant.id, { type: 'waiting', moderatorPresent });
    }
  }

  #admittedCount(live: LiveConference): number {
    return live.conference.participants.filter((participant) => participant.state === 'admitted').length;
  }

  #liveOf(participantId: string): LiveConference | undefined {
    const roomNumber = this.#roomOf.get(participantId);
    return roomNumber === undefined ? undefined : this.#live.get(roomNumber);
  }

  async #confirmLocks(): Promise<void> {
    const locked = [...this.#live.values()].filter((live) => live.conference.locked).map((live) => live.conference.roomNumber);
    await this.marks.confirmLocked(locked).catch((error: Error) => this.#logger.warn(`Room locks not confirmed: ${error.message}`));
  }
}
