import type {
  ConferenceEndReason,
  ConferenceInvitationView,
  ConferenceRequest,
  ConferenceStateView,
  JoinResponse,
  MediaSource,
  ModeratorRequestName,
  NewConsumerView,
  ParticipantView,
} from '@konferenz/shared';
import type { Problem } from '#lib/i18n.svelte.js';
import { ConferenceConnection, ConferenceRequestError, isErrorCode, openConferenceSocket, type ConferenceSocket } from './conference-connection';
import { ConferenceChat } from './conference-chat.svelte';
import { ConferenceNotices } from './conference-notices.svelte';
import { buildTiles, type TileView } from './conference-tiles';
import { ConsumerSizeReporter } from './consumer-size';
import { clearJoin, saveJoin } from './join-storage';
import { LocalMedia } from './local-media.svelte';
import type { MediaPreferences } from './media-preferences';
import type { CreateDevice } from './media-device';
import { MediaSession } from './media-session';
import { takePreparedConnection, type PreparedConnection } from './prepared-connection';
import { handPatch, isHandRaised, raisedHands } from './raised-hands';
import type { RemoteMedia } from './remote-media';
import { installTestHooks } from './test-hooks';
import { recentSpeakers } from './video-last-n';
import { EMPTY_STATS } from './transport-stats';
import { playWaitingChime } from './waiting-chime';

/** What the connection indicator shows (data-state of `connection-status`). */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'ended';

type SocketStatus = 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** While the server restarts it refuses or drops connections: the next try waits this long. */
const RESTART_RETRY_MS = 1_000;
/** Redirects between nodes without a connection in between before the session gives up and says so. */
const MAX_REDIRECTS = 10;
/**
 * How long sending waits for what the room offered when the receive transport
 * came up: the first sound should not queue behind the camera's set-up.
 */
const FIRST_RECEIVE_WAIT_MS = 1_000;
/** The server's default VIDEO_LAST_N. */
const DEFAULT_VIDEO_LAST_N = 12;

/** Moderator requests: the buttons of the moderator panel and the participant list. */

export interface ConferenceSessionOptions {
  /** The server refused the token (expired, or the participant was removed): back to the join page. */
  onTokenInvalid: (roomNumber: string) => void;
  openSocket?: (token: string, nodeUrl?: string) => ConferenceSocket;
  /** The join page's prepared socket for this token, if any (prepared-connection.ts). */
  takePrepared?: (token: string) => PreparedConnection | null;
  /** For tests: mediasoup-client's FakeHandler instead of the browser's WebRTC. */
  createDevice?: CreateDevice;
}

function problemOf(error: unknown): Problem {
  if (error instanceof ConferenceRequestError) {
    return error.code === 'NETWORK' ? { key: 'ui.error.network' } : { key: `error.${error.code}`, fallback: error.message };
  }
  return { key: 'error.MEDIA_FAILED' };
}

/**
 * One participant's conference in this tab: the socket, the conference state the server pushes,
 * the media flow once admitted, and the actions of the controls. Components read its state and
 * call its methods; they never touch the socket or mediasoup.
 */
export class ConferenceSession {
  join: JoinResponse;
  readonly local: LocalMedia;
  readonly chat = new ConferenceChat();
  /** Join and leave notices, who waits (moderators), the moderator leaving. */
  readonly notices = new ConferenceNotices(playWaitingChime);

  /** The server's latest view of the conference; null until the first one arrives. */
  view = $state.raw<ConferenceStateView | null>(null);
  /** Tracks received from the others. */
  remote = $state.raw<RemoteMedia[]>([]);
  activeSpeakerId = $state<string | null>(null);
  /** Who spoke, last first: whose cameras last-N shows. */
  recentSpeakers = $state<string[]>([]);
  ended = $state<ConferenceEndReason | null>(null);
  /** The server refused the connection for a reason other than the token. */
  refused = $state<Problem | null>(null);
  /** Camera, microphone or the media connection failed; the conference itself goes on. */
  mediaProblem = $state<Problem | null>(null);
  /** A control's request failed (shown briefly beside the controls). */
  actionProblem = $state<Problem | null>(null);
  /** The speaker chosen in the device check or the call; null: the browser's default. */
  speakerId = $state<string | null>(null);

  #socketStatus = $state<SocketStatus>('connecting');
  #mediaTrouble = $state(false);
  /** Media setup failed: automatic retries stop until the participant asks (or the server resets media). */
  #mediaFailed = false;

  readonly connection: ConnectionStatus = $derived.by(() => {
    if (this.ended) return 'ended';
    if (this.#socketStatus !== 'connected') return this.#socketStatus;
    return this.#mediaTrouble ? 'reconnecting' : 'connected';
  });

  readonly self: ParticipantView | null = $derived(this.view?.self ?? null);
  readonly isModerator: boolean = $derived(this.view?.self.role === 'moderator');
  readonly admitted: boolean = $derived(this.view?.self.state === 'admitted');
  readonly handRaised: boolean = $derived(this.view ? isHandRaised(this.view.self.attributes) : false);
  /** Everyone whose hand is up, first raised first (the moderator panel's list). */
  readonly raisedHands: ParticipantView[] = $derived(raisedHands(this.view?.participants ?? []));

  readonly tiles: TileView[] = $derived.by(() =>
    this.view && this.admitted
      ? buildTiles({
          participants: this.view.participants,
          selfId: this.view.self.id,
          remote: this.remote,
          localCamera: this.local.camera,
          localScreen: this.local.screen,
          selfMuted: this.local.silent,
          activeSpeakerId: this.activeSpeakerId,
          recentSpeakers: this.recentSpeakers,
          // A node from before last-N (a rolling update) sends none: its default.
          videoLastN: Number.isInteger(this.view.videoLastN) ? this.view.videoLastN : DEFAULT_VIDEO_LAST_N,
        })
      : [],
  );

  readonly #options: ConferenceSessionOptions;
  #socket: ConferenceSocket | null = null;
  #connection: ConferenceConnection | null = null;
  #media: MediaSession | null = null;
  #everConnected = false;
  #finished = false;
  /** The server said it is stopping (a restart): reconnect by ourselves whatever the close looks like. */
  #serverRestarting = false;
  #restartRetry: ReturnType<typeof setTimeout> | undefined;
  /** Redirects in a row, without a connection or a node that failed to answer in between: a bound, in case nodes disagree. */
  #redirects = 0;
  // Consumers being set up (consume, then resume), so sending can wait for them.
  #receiving: Promise<void>[] = [];
  #removeTestHooks: (() => void) | null = null;
  readonly #sizes: ConsumerSizeReporter;

  constructor(join: JoinResponse, preferences: MediaPreferences, options: ConferenceSessionOptions) {
    this.join = join;
    this.#options = options;
    this.local = new LocalMedia(preferences, (source) => void this.#localTrackEnded(source));
    this.speakerId = preferences.speakerId;
    this.#sizes = new ConsumerSizeReporter((consumerId, width, height) => {
      this.#connection?.request('media:setConsumerSize', { consumerId, width, height }).catch(() => undefined);
    });
  }

  /** Connects; the server answers with the conference state, which drives everything else. */
  start(): void {
    if (this.#socket) return;
    this.#removeTestHooks = installTestHooks({
      getStats: () => this.#media?.stats() ?? Promise.resolve({ ...EMPTY_STATS }),
    });
    this.#openSocket(undefined);
  }

  /**
   * Several nodes: the conference runs on one of them. A node that does not run it refuses the
   * socket with that node's address (ROOM_ON_OTHER_NODE), and the session connects there; when
   * that node stops answering or gives the room up (`conference:moved`), it asks the origin again.
   */
  #moveTo(nodeUrl: string | undefined, delayMs = 0): void {
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#stopMedia();
    this.#socketStatus = this.#everConnected ? 'reconnecting' : 'connecting';
    clearTimeout(this.#restartRetry);
    if (delayMs === 0) return this.#openSocket(nodeUrl);
    this.#restartRetry = setTimeout(() => {
      if (!this.#finished) this.#openSocket(nodeUrl);
    }, delayMs);
  }

  #openSocket(nodeUrl: string | undefined): void {
    // The join page's socket, connected during the device check, on the first connection only.
    const prepared = nodeUrl === undefined && !this.#everConnected ? (this.#options.takePrepared ?? takePreparedConnection)(this.join.token) : null;
    const socket = prepared?.socket ?? (this.#options.openSocket ?? openConferenceSocket)(this.join.token, nodeUrl);
    this.#socket = socket;
    this.#connection = new ConferenceConnection(socket);

    socket.on('connect', () => this.#connected());
    socket.on('server:shutdown', () => {
      if (this.#finished) return;
      this.#serverRestarting = true;
      this.#socketStatus = 'reconnecting';
      this.refused = { key: 'ui.conference.serverRestarting' };
    });
    socket.on('disconnect', (reason) => {
      if (this.#finished) return;
      this.#socketStatus = 'reconnecting';
      // The server treats a new connection as a new media peer: everything is rebuilt once
      // the state arrives again after the reconnect.
      this.#stopMedia();
      if (this.#serverRestarting) {
        // socket.io does not reconnect by itself after a close the server initiated.
        if (reason === 'io server disconnect') this.#retryAfterRestart(socket);
        return;
      }
      // The server closed the connection without ending the conference: the same participant
      // connected from elsewhere (a duplicated tab). Reconnecting by itself would push that one
      // out in turn, so ask first.
      if (reason === 'io server disconnect') {
        this.#socketStatus = 'failed';
        this.refused = { key: 'ui.conference.replaced' };
      }
    });
    socket.on('connect_error', (error: Error & { data?: { nodeUrl?: unknown } }) => {
      if (this.#finished) return;
      const elsewhere = error.data?.nodeUrl;
      if (error.message === 'ROOM_ON_OTHER_NODE' && typeof elsewhere === 'string' && this.#redirects < MAX_REDIRECTS) {
        this.#redirects++;
        this.#moveTo(elsewhere);
        return;
      }
      // The node the conference was on does not answer (stopped or died): the origin sends the socket on again,
      // to the same node until its lease has run out, so these rounds (a second apart) are not counted as redirects.
      if (nodeUrl !== undefined && !isErrorCode(error.message)) {
        this.#redirects = 0;
        this.#moveTo(undefined, RESTART_RETRY_MS);
        return;
      }
      if (error.message === 'CONFERENCE_TOKEN_INVALID') {
        clearJoin();
        this.#teardown();
        this.#options.onTokenInvalid(this.join.roomNumber);
        return;
      }
      if (socket.active) {
        this.#socketStatus = this.#everConnected ? 'reconnecting' : 'connecting';
        return;
      }
      // Refused by a server that is still stopping or just starting: keep trying.
      if (this.#serverRestarting) {
        this.#retryAfterRestart(socket);
        return;
      }
      // A part the server needs is down for a moment (the database, Redis): say so and keep trying.
      if (error.message === 'SERVICE_UNAVAILABLE') {
        this.#socketStatus = this.#everConnected ? 'reconnecting' : 'connecting';
        this.refused = { key: 'error.SERVICE_UNAVAILABLE' };
        this.#retryAfterRestart(socket);
        return;
      }
      // Refused by the server for another reason (room locked, ...): say so, offer to rejoin.
      this.#socketStatus = 'failed';
      this.refused = isErrorCode(error.message) ? { key: `error.${error.message}` } : { key: 'ui.conference.refused' };
    });

    socket.on('conference:moved', () => {
      if (!this.#finished) this.#moveTo(undefined);
    });
    socket.on('conference:state', (state) => this.#applyState(state));
    socket.on('conference:ended', ({ reason }) => this.#finish(reason));
    socket.on('conference:token', ({ token, expiresAt }) => {
      this.join = { ...this.join, token, expiresAt };
      saveJoin(this.join);
      // Socket.IO presents `auth` again on every reconnect.
      socket.auth = { token };
    });
    socket.on('chat:message', (message) => this.chat.receive(message, this.view?.self.id));
    socket.on('chat:history', ({ messages }) => this.chat.merge(messages, this.view?.self.id));
    socket.on('media:newConsumer', (view) => void this.#consume(view));
    socket.on('media:consumerClosed', ({ consumerId }) => this.#removeConsumer(consumerId));
    socket.on('media:consumerPaused', ({ consumerId, paused }) => {
      this.remote = this.remote.map((media) => (media.consumerId === consumerId ? { ...media, paused } : media));
    });
    socket.on('media:activeSpeaker', ({ participantId }) => this.#speaking(participantId));
    socket.on('media:reset', () => {
      this.#stopMedia();
      void this.#ensureMedia();
    });

    if (!prepared) {
      socket.connect();
      return;
    }
    // A reconnect of this socket seats the participant at once, as any other connection's does.
    socket.auth = { token: this.join.token };
    socket.io.reconnection(true);
    this.#connected();
    // What the server sent since the join click (the state, first offers) is heard as if it came now.
    for (const { event, args } of prepared.heard) {
      for (const listener of socket.listeners(event as 'conference:state')) (listener as (...payload: unknown[]) => void)(...args);
    }
    void this.#entered(socket, prepared.entered);
  }

  #connected(): void {
    this.#redirects = 0;
    this.#everConnected = true;
    this.#serverRestarting = false;
    this.#socketStatus = 'connected';
    this.refused = null;
  }

  /**
   * The prepared socket's participant was seated on the join click. A refusal for the room itself
   * (locked) comes as `conference:ended`; any other (the room moved to another node meanwhile, no
   * answer) is met by connecting anew, as without a prepared socket.
   */
  async #entered(socket: ConferenceSocket, entered: Promise<boolean>): Promise<void> {
    if (!(await entered) && !this.#finished && this.#socket === socket) this.#moveTo(undefined);
  }

  // ---- controls ----

  async toggleMicrophone(): Promise<void> {
    this.actionProblem = null;
    if (!this.local.microphone) {
      const problem = await this.local.openMicrophone();
      if (problem) this.mediaProblem = problem;
      if (!this.local.microphone) return;
      this.local.setMicMuted(false);
      await this.#produce('microphone', this.local.microphone);
      return;
    }
    const muted = !this.local.micMuted;
    this.local.setMicMuted(muted);
    await this.#run(() => this.#media?.setProducerPaused('microphone', muted));
  }

  async toggleCamera(): Promise<void> {
    this.actionProblem = null;
    if (this.local.camera) {
      this.local.closeCamera();
      await this.#run(() => this.#media?.closeProducer('camera'));
      return;
    }
    const problem = await this.local.openCamera();
    if (problem) this.mediaProblem = problem;
    if (this.local.camera) await this.#produce('camera', this.local.camera);
  }

  /**
   * Another microphone or camera during the call: the producer sends the new track in the old
   * one's place (no renegotiation; a muted microphone stays muted).
   */
  async switchDevice(source: 'microphone' | 'camera', deviceId: string): Promise<void> {
    this.actionProblem = null;
    const problem = source === 'microphone' ? await this.local.switchMicrophone(deviceId) : await this.local.switchCamera(deviceId);
    if (problem) this.actionProblem = problem;
    const track = source === 'microphone' ? this.local.microphone : this.local.camera;
    if (track) await this.#run(() => this.#media?.replaceTrack(source, track));
  }

  /** The speaker the others are heard on (where the browser can choose one). */
  setSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
  }

  async toggleScreenShare(): Promise<void> {
    this.actionProblem = null;
    if (this.local.screen) {
      this.local.closeScreen();
      await this.#run(() => this.#media?.closeProducer('screen'));
      return;
    }
    const problem = await this.local.openScreen();
    if (problem) this.actionProblem = problem;
    if (this.local.screen) await this.#produce('screen', this.local.screen);
  }

  /** Starts the media flow again after it failed (the "try again" button). */
  async retryMedia(): Promise<void> {
    this.mediaProblem = null;
    this.#stopMedia();
    await this.#ensureMedia();
  }

  /** Raises or lowers the own hand: a participant attribute, which the server shows to everyone. */
  async toggleHand(): Promise<void> {
    await this.#setHand(!this.handRaised);
  }

  /**
   * For moderators: lowers one participant's hand. The server clears someone else's attributes
   * only all at once (moderator:clearAttributes), so that takes their other attributes too; the
   * own hand goes down by the own request, which leaves the other keys alone.
   */
  async lowerHand(participantId: string): Promise<void> {
    if (participantId === this.self?.id) return this.#setHand(false);
    return this.moderate('moderator:clearAttributes', { participantId });
  }

  /** For moderators: one request per raised hand, as the server clears one participant at a time. */
  async lowerAllHands(): Promise<void> {
    await Promise.all(this.raisedHands.map(({ id }) => this.lowerHand(id)));
  }

  async leave(): Promise<void> {
    await this.#connection?.request('conference:leave', {}).catch(() => undefined);
    this.#finish('left');
  }

  async moderate<N extends ModeratorRequestName>(name: N, payload: ConferenceRequest<N>): Promise<void> {
    this.actionProblem = null;
    await this.#run(() => this.#connection?.request(name, payload));
  }

  /** Connects again after the server closed this connection (see `refused`). */
  reconnect(): void {
    if (this.#finished || !this.#socket || this.#socket.connected) return;
    this.refused = null;
    this.#socketStatus = 'connecting';
    this.#socket.connect();
  }

  /** Sends a chat message to everyone inside; the problem to show in the chat when it was not sent. */
  async sendChat(text: string): Promise<Problem | null> {
    try {
      if (!this.#connection) throw new ConferenceRequestError('NETWORK', 'chat:send: not connected');
      await this.#connection.request('chat:send', { text });
      return null;
    } catch (error) {
      return problemOf(error);
    }
  }

  /** How to invite others (the full invitation for moderators, the link for guests), or the problem to show instead. */
  async invitation(): Promise<{ invitation: ConferenceInvitationView } | { problem: Problem }> {
    try {
      if (!this.#connection) throw new ConferenceRequestError('NETWORK', 'conference:invitation: not connected');
      return { invitation: await this.#connection.request('conference:invitation', {}) };
    } catch (error) {
      return { problem: problemOf(error) };
    }
  }

  async #setHand(raise: boolean): Promise<void> {
    this.actionProblem = null;
    await this.#run(() => this.#connection?.request('participant:setAttributes', { attributes: handPatch(raise) }));
  }

  #retryAfterRestart(socket: ConferenceSocket): void {
    clearTimeout(this.#restartRetry);
    this.#restartRetry = setTimeout(() => {
      if (!this.#finished && !socket.connected) socket.connect();
    }, RESTART_RETRY_MS);
  }

  /** From a video tile: how large a received video is drawn (0 × 0: not visible). */
  reportConsumerSize(consumerId: string, width: number, height: number): void {
    this.#sizes.report(consumerId, width, height);
  }

  /** Leaving the page without leaving the conference (a reload rejoins with the stored token). */
  destroy(): void {
    this.notices.destroy();
    this.#teardown();
  }

  // ---- server events ----

  #speaking(participantId: string | null): void {
    this.activeSpeakerId = participantId;
    if (participantId !== this.view?.self.id) this.recentSpeakers = recentSpeakers(this.recentSpeakers, participantId);
  }

  #applyState(state: ConferenceStateView): void {
    const previous = this.view;
    this.view = state;
    this.notices.observe(previous, state);
    this.#speaking(state.activeSpeakerId);

    // Muted by a moderator: the server paused the producer; show it and keep the track silent.
    if (state.self.microphone === 'muted' && previous?.self.microphone !== 'muted' && !this.local.micMuted) {
      this.local.setMicMuted(true);
      this.#media?.pauseLocally('microphone', true);
    }

    // After a failed setup only the "try again" button (or a server reset) starts media again.
    if (state.self.state === 'admitted' && !this.#mediaFailed) void this.#ensureMedia();
    else if (this.#media || this.local.microphone || this.local.camera) {
      // Back in the waiting room (the moderator left): nothing is sent, the camera light goes off.
      this.#stopMedia();
      this.local.stop();
    }
  }

  async #ensureMedia(): Promise<void> {
    if (this.#media || !this.#connection || this.#finished || this.view?.self.state !== 'admitted') return;
    this.#mediaFailed = false;
    const media = new MediaSession(
      this.#connection,
      {
        transportTrouble: (trouble) => {
          if (this.#media === media) this.#mediaTrouble = trouble;
        },
      },
      this.#options.createDevice,
    );
    this.#media = media;
    try {
      // Started together: the transports do not need the tracks, and the first request goes out
      // before the page renders what the state brought.
      const [, problem] = await Promise.all([media.start(), this.local.openInitial()]);
      if (problem) this.mediaProblem = problem;
      if (this.#media !== media) return;
      // The server offers what the room sends as soon as the receive transport exists.
      await this.#receivingSettled(FIRST_RECEIVE_WAIT_MS);
      if (this.#media !== media) return;
      const { microphone, camera, screen } = this.local;
      if (microphone) await this.#produce('microphone', microphone, this.local.micMuted);
      if (camera) await this.#produce('camera', camera);
      if (screen) await this.#produce('screen', screen);
    } catch (error) {
      if (this.#media !== media) return;
      console.warn('Konferenz: media setup failed', error);
      this.mediaProblem = problemOf(error);
      this.#mediaFailed = true;
      this.#stopMedia();
    }
  }

  async #produce(source: MediaSource, track: MediaStreamTrack, paused = false): Promise<void> {
    const media = this.#media;
    if (!media) return; // not admitted yet: sent once the media flow starts
    try {
      await media.produce(source, track, { paused });
    } catch (error) {
      if (this.#media !== media) return;
      console.warn(`Konferenz: sending ${source} failed`, error);
      this.mediaProblem = problemOf(error);
    }
  }

  #stopMedia(): void {
    const media = this.#media;
    this.#media = null;
    this.#mediaTrouble = false;
    media?.close();
    for (const { consumerId } of this.remote) this.#sizes.forget(consumerId);
    this.remote = [];
  }

  #consume(view: NewConsumerView): Promise<void> {
    const receiving = this.#receive(view);
    this.#receiving.push(receiving);
    void receiving.finally(() => (this.#receiving = this.#receiving.filter((other) => other !== receiving)));
    return receiving;
  }

  /** The consumers being set up now are resumed (or failed), or `limitMs` passed. */
  async #receivingSettled(limitMs: number): Promise<void> {
    if (this.#receiving.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    await Promise.race([Promise.allSettled(this.#receiving), limit]);
    clearTimeout(timer);
  }

  async #receive(view: NewConsumerView): Promise<void> {
    const media = this.#media;
    if (!media) return;
    try {
      const received = await media.consume(view);
      if (!received || this.#media !== media) return;
      this.remote = [...this.remote.filter(({ consumerId }) => consumerId !== received.consumerId), received];
      if (received.kind === 'video') this.#sizes.track(received.consumerId);
      await media.resumeConsumer(received.consumerId);
    } catch (error) {
      if (this.#media === media) console.warn('Konferenz: receiving a track failed', error);
    }
  }

  #removeConsumer(consumerId: string): void {
    this.#media?.closeConsumer(consumerId);
    this.#sizes.forget(consumerId);
    this.remote = this.remote.filter((media) => media.consumerId !== consumerId);
  }

  async #localTrackEnded(source: MediaSource): Promise<void> {
    await this.#run(() => this.#media?.closeProducer(source));
    if (source === 'screen') return;
    // A microphone or camera unplugged: go on with the one the browser offers now.
    const problem = source === 'microphone' ? await this.local.openMicrophone() : await this.local.openCamera();
    if (problem) this.mediaProblem = problem;
    const track = source === 'microphone' ? this.local.microphone : this.local.camera;
    if (track) await this.#produce(source, track, source === 'microphone' && this.local.micMuted);
  }

  async #run(action: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.actionProblem = problemOf(error);
    }
  }

  #finish(reason: ConferenceEndReason): void {
    if (this.#finished) return;
    this.ended = reason;
    clearJoin();
    this.#teardown();
  }

  #teardown(): void {
    this.#finished = true;
    clearTimeout(this.#restartRetry);
    this.#stopMedia();
    this.local.stop();
    this.#sizes.dispose();
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#removeTestHooks?.();
    this.#removeTestHooks = null;
  }
}
