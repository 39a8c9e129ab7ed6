import type { ConferenceStateView, JoinResponse, ParticipantView } from '@konferenz/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConferenceSocket } from './conference-connection';
import { ConferenceSession } from './conference-session.svelte';
import { DEFAULT_MEDIA_PREFERENCES, type MediaPreferences } from './media-preferences';
import { fakeMediaDevices } from './testing/fake-media-devices';
import { fakeConsumerOffer, fakeDevice, FakeMediaServer } from './testing/fake-media-server';
import { participantView } from './testing/participant-view';

type Handler = (...args: unknown[]) => void;

/** A socket.io client socket as far as the session uses it, with the fake media server behind it. */
class FakeSocket {
  connected = false;
  active = true;
  readonly server = new FakeMediaServer();
  readonly #handlers = new Map<string, Handler[]>();

  on(event: string, handler: Handler) {
    this.#handlers.set(event, [...(this.#handlers.get(event) ?? []), handler]);
    return this;
  }
  removeAllListeners() {
    this.#handlers.clear();
    return this;
  }
  handlers(event: string): Handler[] {
    return this.#handlers.get(event) ?? [];
  }
  connect() {
    this.connected = true;
    this.push('connect');
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  timeout() {
    return {
      emitWithAck: async (name: never, payload: never) => {
        try {
          return { ok: true, data: await this.server.request(name, payload) };
        } catch (error) {
          return { ok: false, error: { code: (error as { code: string }).code, message: 'refused', fieldErrors: [] } };
        }
      },
    };
  }
  /** An event from the server (or from socket.io itself: connect, disconnect, connect_error). */
  push(event: string, ...args: unknown[]) {
    for (const handler of this.#handlers.get(event) ?? []) handler(...args);
  }
  /** Lets pending promises (acknowledgements, mediasoup-client's queue) settle. */
  static async settle() {
    for (let round = 0; round < 20; round++) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

const JOIN: JoinResponse = {
  token: 'token-1',
  roomNumber: '47110815',
  participantId: 'me',
  role: 'participant',
  displayName: 'Ich',
  expiresAt: '2099-01-01T00:00:00Z',
};

const participant = participantView;

function state(self: Partial<ParticipantView> = {}, others: ParticipantView[] = [participant('anna')]): ConferenceStateView {
  const me = participant('me', self);
  return {
    roomNumber: JOIN.roomNumber,
    self: me,
    participants: me.state === 'admitted' ? [me, ...others] : [],
    waiting: [],
    waitingCount: me.state === 'waiting' ? 1 : 0,
    moderatorPresent: me.state === 'admitted',
    locked: false,
    screeningNewcomers: false,
    activeSpeakerId: null,
    settings: null,
    videoLastN: 12,
    chatEnabled: true,
  };
}

function startSession(preferences: Partial<MediaPreferences> = {}) {
  const socket = new FakeSocket();
  const onTokenInvalid = vi.fn();
  const session = new ConferenceSession(
    JOIN,
    { ...DEFAULT_MEDIA_PREFERENCES, ...preferences },
    { onTokenInvalid, openSocket: () => socket as unknown as ConferenceSocket, createDevice: fakeDevice },
  );
  session.start();
  return { socket, session, server: socket.server, onTokenInvalid };
}

/** Several nodes: every socket the session opens, with the node it was opened for. */
function startClusterSession() {
  const sockets: { socket: FakeSocket; nodeUrl: string | undefined }[] = [];
  const session = new ConferenceSession(JOIN, DEFAULT_MEDIA_PREFERENCES, {
    onTokenInvalid: vi.fn(),
    openSocket: (_token, nodeUrl) => {
      const socket = new FakeSocket();
      // The first connection attempt is answered by the test.
      socket.connect = () => socket;
      sockets.push({ socket, nodeUrl });
      return socket as unknown as ConferenceSocket;
    },
    createDevice: fakeDevice,
  });
  session.start();
  return { session, sockets };
}

afterEach(() => vi.unstubAllGlobals());

describe('ConferenceSession', () => {
  it('connects with the token and, while waiting, sets up no media at all', async () => {
    const { socket, session, server } = startSession();
    socket.push('conference:state', state({ state: 'waiting', microphone: 'none', camera: 'none' }));
    await FakeSocket.settle();

    expect(session.connection).toBe('connected');
    expect(session.view?.self.state).toBe('waiting');
    expect(session.tiles).toEqual([]);
    expect(server.sent).toEqual([]);
  });

  it('once admitted, runs the media flow and sends microphone and camera', async () => {
    fakeMediaDevices();
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();

    expect(server.names().slice(0, 4)).toEqual(['media:rtpCapabilities', 'media:setRtpCapabilities', 'media:createTransport', 'media:createTransport']);
    const sources = server.sent.filter(({ name }) => name === 'media:produce').map(({ payload }) => payload.source);
    expect(sources).toEqual(['microphone', 'camera']);
    expect(session.tiles.map((tile) => [tile.key, tile.muted, tile.track !== null])).toEqual([
      ['camera:me', false, true],
      ['camera:anna', false, false],
    ]);
    expect(session.mediaProblem).toBeNull();
  });

  it('takes what the room offers at the start, and has it resumed, before sending', async () => {
    fakeMediaDevices();
    const { socket, server } = startSession();
    // As the server does: the room's producers are offered right after the receive transport's
    // answer, so they arrive before the answer to the next request (here a few ms later).
    const order: string[] = [];
    const answer = server.request.bind(server);
    server.request = (async (name: string, payload: Record<string, unknown>) => {
      if (name === 'media:produce') order.push(`produce ${String(payload.source)}`);
      if (name === 'media:createTransport' && payload.direction === 'send') await new Promise((resolve) => setTimeout(resolve, 5));
      if (name === 'media:resumeConsumer') await new Promise((resolve) => setTimeout(resolve, 20));
      const response = await answer(name as never, payload as never);
      if (name === 'media:resumeConsumer') order.push('resumed');
      if (name === 'media:createTransport' && payload.direction === 'recv') {
        setTimeout(() => socket.push('media:newConsumer', fakeConsumerOffer('audio', 'c-audio')), 0);
      }
      return response;
    }) as typeof server.request;
    socket.push('conference:state', state());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await FakeSocket.settle();

    expect(order).toEqual(['resumed', 'produce microphone', 'produce camera']);
  });

  it('joins muted and without camera when chosen so', async () => {
    const getUserMedia = fakeMediaDevices();
    const { socket, session, server } = startSession({ joinMuted: true, cameraOff: true });
    socket.push('conference:state', state());
    await FakeSocket.settle();

    expect(getUserMedia).toHaveBeenCalledWith(expect.objectContaining({ video: false }));
    expect(server.sent.filter(({ name }) => name === 'media:produce')).toHaveLength(1);
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: true });
    expect(session.local.micMuted).toBe(true);
    expect(session.tiles[0]).toMatchObject({ muted: true, track: null });
  });

  it('mutes and unmutes the microphone, and turns the camera off by closing its producer', async () => {
    fakeMediaDevices();
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();

    await session.toggleMicrophone();
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: true });
    expect(session.local.micMuted).toBe(true);
    await session.toggleMicrophone();
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: false });

    const camera = session.local.camera;
    await session.toggleCamera();
    expect(server.last('media:closeProducer')).toEqual({ producerId: 'producer-camera' });
    expect(camera?.readyState).toBe('ended');
    expect(session.local.camera).toBeNull();
  });

  it('switches the camera and a muted microphone in the call without new producers, and stays muted', async () => {
    fakeMediaDevices();
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();
    await session.toggleMicrophone();
    const [oldMicrophone, oldCamera] = [session.local.microphone, session.local.camera];

    await session.switchDevice('microphone', 'mic-2');
    await session.switchDevice('camera', 'cam-2');
    expect(session.local.microphone).not.toBe(oldMicrophone);
    expect(session.local.camera).not.toBe(oldCamera);
    expect(session.local.micMuted).toBe(true);
    expect(session.local.microphone?.enabled).toBe(false);
    expect(server.sent.filter(({ name }) => name === 'media:produce')).toHaveLength(2);
    expect(session.actionProblem).toBeNull();
  });

  it('goes on with another microphone when the one in use is unplugged, still muted', async () => {
    fakeMediaDevices();
    const { socket, session, server } = startSession({ joinMuted: true });
    socket.push('conference:state', state());
    await FakeSocket.settle();
    const unplugged = session.local.microphone as unknown as { remoteStop(): void };

    unplugged.remoteStop();
    await FakeSocket.settle();
    expect(server.last('media:closeProducer')).toEqual({ producerId: 'producer-microphone' });
    expect(session.local.microphone).not.toBeNull();
    expect(session.local.microphone).not.toBe(unplugged);
    const microphones = server.sent.filter(({ name, payload }) => name === 'media:produce' && payload.source === 'microphone');
    expect(microphones).toHaveLength(2);
    expect(server.last('media:setProducerPaused')).toMatchObject({ paused: true });
  });

  it('follows a moderator’s mute without asking the server, and unmutes on request', async () => {
    fakeMediaDevices();
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();
    const before = server.sent.length;

    socket.push('conference:state', state({ microphone: 'muted', mutedByModerator: true }));
    expect(session.local.micMuted).toBe(true);
    expect(session.local.microphone?.enabled).toBe(false);
    expect(server.sent.length).toBe(before);

    await session.toggleMicrophone();
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: false });
    // A state still showing the old mute does not mute again.
    socket.push('conference:state', state({ microphone: 'muted', mutedByModerator: true }));
    expect(session.local.micMuted).toBe(false);
  });

  it('receives others’ tracks, follows their pauses and closes them', async () => {
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();

    socket.push('media:newConsumer', fakeConsumerOffer('video', 'c-video'));
    socket.push('media:newConsumer', fakeConsumerOffer('audio', 'c-audio'));
    await FakeSocket.settle();
    expect(session.remote.map(({ consumerId }) => consumerId)).toEqual(['c-video', 'c-audio']);
    expect(server.sent.filter(({ name }) => name === 'media:resumeConsumer').map(({ payload }) => payload.consumerId)).toEqual(['c-video', 'c-audio']);
    expect(session.tiles[1]).toMatchObject({ participantId: 'anna', consumerId: 'c-video' });
    expect(session.tiles[1].track).not.toBeNull();

    socket.push('media:consumerPaused', { consumerId: 'c-video', paused: true });
    expect(session.tiles[1].track).toBeNull();

    socket.push('media:consumerClosed', { consumerId: 'c-video' });
    expect(session.remote.map(({ consumerId }) => consumerId)).toEqual(['c-audio']);
  });

  it('follows the active speaker', async () => {
    const { socket, session } = startSession();
    socket.push('conference:state', state());
    socket.push('media:activeSpeaker', { participantId: 'anna' });
    expect(session.tiles.find((tile) => tile.speaking)?.participantId).toBe('anna');
  });

  it('says "reconnecting" while the socket is down and rebuilds media after the reconnect', async () => {
    const { socket, session, server } = startSession();
    socket.push('conference:state', state());
    socket.push('media:newConsumer', fakeConsumerOffer('audio', 'c-audio'));
    await FakeSocket.settle();

    socket.connected = false;
    socket.push('disconnect', 'transport close');
    expect(session.connection).toBe('reconnecting');
    expect(session.remote).toEqual([]);

    const requestsBefore = server.sent.length;
    socket.connect();
    socket.push('conference:state', state());
    await FakeSocket.settle();
    expect(session.connection).toBe('connected');
    expect(server.names().slice(requestsBefore, requestsBefore + 2)).toEqual(['media:rtpCapabilities', 'media:setRtpCapabilities']);
  });

  it('rebuilds media when the server resets it', async () => {
    const { socket, server } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();
    const requestsBefore = server.sent.length;
    socket.push('media:reset');
    await FakeSocket.settle();
    expect(server.names().slice(requestsBefore)).toContain('media:rtpCapabilities');
  });

  it('stops sending when sent back to the waiting room', async () => {
    fakeMediaDevices();
    const { socket, session } = startSession();
    socket.push('conference:state', state());
    await FakeSocket.settle();
    const microphone = session.local.microphone;

    socket.push('conference:state', state({ state: 'waiting', microphone: 'none', camera: 'none' }));
    expect(microphone?.readyState).toBe('ended');
    expect(session.tiles).toEqual([]);
  });

  it('shows the end, with its reason, and disconnects', async () => {
    const { socket, session } = startSession();
    socket.push('conference:state', state());
    socket.push('conference:ended', { reason: 'ended-by-moderator' });
    expect(session.ended).toBe('ended-by-moderator');
    expect(session.connection).toBe('ended');
    expect(socket.connected).toBe(false);
  });

  it('leaves on request', async () => {
    const { session, server } = startSession();
    await session.leave();
    expect(server.names()).toContain('conference:leave');
    expect(session.ended).toBe('left');
  });

  it('sends a refused token back to the join page', () => {
    const { socket, session, onTokenInvalid } = startSession();
    socket.push('connect_error', new Error('CONFERENCE_TOKEN_INVALID'));
    expect(onTokenInvalid).toHaveBeenCalledWith('47110815');
    expect(session.ended).toBeNull();
  });

  it('keeps trying while the server answers that a part it needs is down, and says so', () => {
    vi.useFakeTimers();
    try {
      const { socket, session } = startSession();
      socket.connected = false;
      socket.active = false;
      socket.push('connect_error', new Error('SERVICE_UNAVAILABLE'));
      expect(session.refused).toEqual({ key: 'error.SERVICE_UNAVAILABLE' });
      expect(session.connection).toBe('reconnecting');
      vi.advanceTimersByTime(1_000);
      expect(session.connection).toBe('connected');
      expect(session.refused).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not fight over the connection with another tab of the same participant', () => {
    const { socket, session } = startSession();
    socket.connected = false;
    socket.push('disconnect', 'io server disconnect');
    expect(session.connection).toBe('failed');
    expect(session.refused).toEqual({ key: 'ui.conference.replaced' });
    session.reconnect();
    expect(session.connection).toBe('connected');
    expect(session.refused).toBeNull();
  });

  it('says the server is restarting and reconnects by itself, however the server closes', async () => {
    vi.useFakeTimers();
    try {
      const { socket, session } = startSession();
      socket.push('conference:state', state());
      socket.push('server:shutdown');
      expect(session.refused).toEqual({ key: 'ui.conference.serverRestarting' });
      expect(session.connection).toBe('reconnecting');

      // Not taken for another tab taking over: the session connects again after a moment.
      socket.connected = false;
      socket.push('disconnect', 'io server disconnect');
      expect(session.connection).toBe('reconnecting');
      // The server, still stopping, refuses: try again.
      socket.active = false;
      const connect = vi.spyOn(socket, 'connect').mockImplementationOnce(() => {
        socket.push('connect_error', new Error('SERVICE_UNAVAILABLE'));
        return socket;
      });
      vi.advanceTimersByTime(1_000);
      expect(connect).toHaveBeenCalledTimes(1);
      expect(session.refused).toEqual({ key: 'ui.conference.serverRestarting' });
      vi.advanceTimersByTime(1_000);
      expect(session.connection).toBe('connected');
      expect(session.refused).toBeNull();

      // Back to normal: a later server close is again another tab's.
      socket.connected = false;
      socket.push('disconnect', 'io server disconnect');
      expect(session.refused).toEqual({ key: 'ui.conference.replaced' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends moderator requests and shows their failure', async () => {
    const { socket, session, server } = startSession();
    socket.push('conference:state', state({ role: 'moderator' }));
    await session.moderate('moderator:setLocked', { locked: true });
    expect(server.last('moderator:setLocked')).toEqual({ locked: true });
    expect(session.actionProblem).toBeNull();

    server.failing.set('moderator:admitAll', 'MODERATOR_ONLY');
    await session.moderate('moderator:admitAll', {});
    expect(session.actionProblem).toMatchObject({ key: 'error.MODERATOR_ONLY' });
  });
});

describe("ConferenceSession with the join page's prepared socket", () => {
  function startPrepared(entered: boolean, heard: Array<{ event: string; args: unknown[] }> = []) {
    const prepared = new FakeSocket();
    prepared.connected = true;
    const reconnection = vi.fn();
    Object.assign(prepared, {
      auth: { token: JOIN.token, prepare: true },
      io: { reconnection },
      listeners: (event: string) => (prepared as unknown as { handlers: (event: string) => Handler[] }).handlers(event),
    });
    const opened: FakeSocket[] = [];
    const session = new ConferenceSession(JOIN, DEFAULT_MEDIA_PREFERENCES, {
      onTokenInvalid: vi.fn(),
      takePrepared: (token) => (token === JOIN.token ? { socket: prepared as unknown as ConferenceSocket, entered: Promise.resolve(entered), heard } : null),
      openSocket: () => {
        const socket = new FakeSocket();
        opened.push(socket);
        return socket as unknown as ConferenceSocket;
      },
      createDevice: fakeDevice,
    });
    session.start();
    return { session, prepared, opened, reconnection };
  }

  it('goes on with the socket seated on the join click, hears what came meanwhile, and reconnects it without preparing', async () => {
    const { session, prepared, opened, reconnection } = startPrepared(true, [{ event: 'conference:state', args: [state()] }]);
    await FakeSocket.settle();
    expect(opened).toHaveLength(0);
    expect(session.connection).toBe('connected');
    expect(session.admitted).toBe(true);
    expect(prepared.server.names()).toContain('media:createTransport');
    expect((prepared as unknown as { auth: unknown }).auth).toEqual({ token: JOIN.token });
    expect(reconnection).toHaveBeenCalledWith(true);
  });

  it('connects anew when the server did not seat it there', async () => {
    const { prepared, opened } = startPrepared(false);
    await FakeSocket.settle();
    expect(prepared.connected).toBe(false);
    expect(opened).toHaveLength(1);
    expect(opened[0].connected).toBe(true);
  });
});

describe('ConferenceSession on several nodes', () => {
  const refusedFor = (nodeUrl: string) => Object.assign(new Error('ROOM_ON_OTHER_NODE'), { data: { nodeUrl } });

  it('follows the origin to the node that runs the conference', () => {
    const { session, sockets } = startClusterSession();
    expect(sockets.map((entry) => entry.nodeUrl)).toEqual([undefined]);
    sockets[0]!.socket.push('connect_error', refusedFor('https://node-b.example.org'));
    expect(sockets.map((entry) => entry.nodeUrl)).toEqual([undefined, 'https://node-b.example.org']);
    expect(session.connection).toBe('connecting');
    sockets[1]!.socket.connected = true;
    sockets[1]!.socket.push('connect');
    expect(session.connection).toBe('connected');
  });

  it('goes between the origin and a node that died, a second apart, for as long as the node holds its lease', () => {
    vi.useFakeTimers();
    try {
      const { session, sockets } = startClusterSession();
      for (let round = 0; round < 15; round++) {
        sockets.at(-1)!.socket.push('connect_error', refusedFor('https://node-b.example.org'));
        sockets.at(-1)!.socket.push('connect_error', new Error('websocket error'));
        vi.advanceTimersByTime(1_000);
      }
      expect(sockets).toHaveLength(31);
      expect(session.connection).toBe('connecting');
      session.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks the origin again when the node says the conference moved, or stops answering after a connection', () => {
    vi.useFakeTimers();
    try {
      const { session, sockets } = startClusterSession();
      sockets[0]!.socket.push('connect_error', refusedFor('https://node-b.example.org'));
      sockets[1]!.socket.push('connect');
      sockets[1]!.socket.push('connect_error', new Error('websocket error'));
      expect(session.connection).toBe('reconnecting');
      vi.advanceTimersByTime(1_000);
      expect(sockets.map((entry) => entry.nodeUrl)).toEqual([undefined, 'https://node-b.example.org', undefined]);
      sockets[2]!.socket.push('connect_error', refusedFor('https://node-c.example.org'));
      sockets[3]!.socket.push('connect');
      sockets[3]!.socket.push('conference:moved');
      expect(sockets.map((entry) => entry.nodeUrl).slice(4)).toEqual([undefined]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up with a message when nodes keep sending the socket on without a connection', () => {
    const { session, sockets } = startClusterSession();
    for (let hop = 0; hop <= 10; hop++) {
      const current = sockets.at(-1)!.socket;
      current.active = false;
      current.push('connect_error', refusedFor(`https://node-${hop % 2}.example.org`));
    }
    expect(sockets).toHaveLength(11);
    expect(session.connection).toBe('failed');
    expect(session.refused).toEqual({ key: 'error.ROOM_ON_OTHER_NODE' });
  });
});
