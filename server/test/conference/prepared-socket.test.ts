import { io, type Socket } from 'socket.io-client';
import { CONFERENCE_NAMESPACE, type ClientToServerEvents, type JoinResponse, type ServerToClientEvents, type SocketResult } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';

type PreparedSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let app: TestApp;
const sockets: Array<{ disconnect(): unknown }> = [];
beforeAll(async () => {
  app = await startTestApp({ MODERATOR_GRACE_SECONDS: '1' });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});
afterAll(() => app?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function room() {
  const { roomNumber } = await customerWithRoom(app);
  const tokenFor = async (pin: string, displayName: string): Promise<JoinResponse> =>
    (await app.client().post('/api/conference/join', { roomNumber, pin, displayName })).body;
  return { roomNumber, tokenFor };
}

/** What the join page does during the device check: connect with `prepare`, and hear everything the server sends. */
async function prepare(token: string): Promise<{ socket: PreparedSocket; events: string[] }> {
  const socket: PreparedSocket = io(`${app.url}${CONFERENCE_NAMESPACE}`, {
    auth: { token, prepare: true },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  const events: string[] = [];
  socket.onAny((event: string) => events.push(event));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, events };
}

const enter = (socket: PreparedSocket) => socket.timeout(5_000).emitWithAck('conference:enter', {}) as Promise<SocketResult<Record<string, never>>>;

async function moderatorOf(conference: Awaited<ReturnType<typeof room>>) {
  const moderator = await ConferenceParticipant.connect(app.url, (await conference.tokenFor(MODERATOR_PIN, 'Moderatorin')).token);
  sockets.push({ disconnect: () => moderator.close() });
  await moderator.waitForState((state) => state.self.state === 'admitted');
  return moderator;
}

describe('a socket prepared during the device check', () => {
  it('is seen by nobody and sent nothing until it enters, then is seated like any connection', async () => {
    const conference = await room();
    const moderator = await moderatorOf(conference);
    const guest = await conference.tokenFor(PARTICIPANT_PIN, 'Gast');
    const { socket, events } = await prepare(guest.token);
    // A change every seated participant hears about.
    await moderator.request('moderator:setLocked', { locked: false });
    await sleep(300);
    expect(events).toEqual([]);
    expect(moderator.state!.participants.map((p) => p.displayName)).toEqual(['Moderatorin']);
    expect(moderator.state!.waitingCount).toBe(0);

    expect(await enter(socket)).toEqual({ ok: true, data: {} });
    await moderator.waitForState((state) => state.participants.some((p) => p.id === guest.participantId));
    const transport = (await socket.timeout(5_000).emitWithAck('media:createTransport', { direction: 'recv' })) as SocketResult<unknown>;
    expect(transport.ok).toBe(true);
  });

  it('enters the waiting room before the moderator, with no media, and leaves nothing behind when it goes without entering', async () => {
    const conference = await room();
    const waiting = await prepare((await conference.tokenFor(PARTICIPANT_PIN, 'Wartend')).token);
    const gone = await prepare((await conference.tokenFor(PARTICIPANT_PIN, 'Weg')).token);
    expect(await enter(waiting.socket)).toEqual({ ok: true, data: {} });
    const refused = (await waiting.socket.timeout(5_000).emitWithAck('media:createTransport', { direction: 'recv' })) as SocketResult<unknown>;
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });
    gone.socket.disconnect();

    const moderator = await moderatorOf(conference);
    const state = await moderator.waitForState((view) => view.participants.length === 2);
    expect(state.participants.map((p) => p.displayName).sort()).toEqual(['Moderatorin', 'Wartend']);
    expect(state.waitingCount).toBe(0);
  });

  it('is one per token: a second one closes the first', async () => {
    const conference = await room();
    const { token } = await conference.tokenFor(PARTICIPANT_PIN, 'Doppelt');
    const first = await prepare(token);
    const closed = new Promise((resolve) => first.socket.once('disconnect', resolve));
    const second = await prepare(token);
    await closed;
    expect(second.socket.connected).toBe(true);
  });

  it('is refused like any connection with a token that is not genuine', async () => {
    await expect(prepare('forged.token')).rejects.toThrow('CONFERENCE_TOKEN_INVALID');
  });
});
