import { io } from 'socket.io-client';
import type { JoinResponse, RoomSettingsInput } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
const open: ConferenceParticipant[] = [];
beforeAll(async () => {
  app = await startTestApp({ MODERATOR_GRACE_SECONDS: '1' });
});
afterEach(() => {
  for (const participant of open.splice(0)) participant.close();
});
afterAll(() => app?.close());

async function room(settings?: RoomSettingsInput) {
  const { client, roomNumber } = await customerWithRoom(app);
  if (settings) await client.put('/api/account/room-settings', settings);
  const tokenFor = async (pin: string, displayName: string): Promise<JoinResponse> =>
    (await app.client().post('/api/conference/join', { roomNumber, pin, displayName })).body;
  const enter = async (pin: string, displayName: string) => {
    const joined = await tokenFor(pin, displayName);
    const participant = await ConferenceParticipant.connect(app.url, joined.token);
    open.push(participant);
    return Object.assign(participant, { id: joined.participantId, token: joined.token });
  };
  return {
    roomNumber,
    tokenFor,
    guest: (name = 'Gast') => enter(PARTICIPANT_PIN, name),
    moderator: (name = 'Moderatorin') => enter(MODERATOR_PIN, name),
  };
}

describe('media capabilities before joining', () => {
  it('answers anyone, without a session, what the conference’s router answers over the socket', async () => {
    const response = await app.client().get('/api/conference/media-capabilities');
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toBeNull();
    const { rtpCapabilities } = response.body as { rtpCapabilities: { codecs: Array<{ mimeType: string }> } };
    expect(rtpCapabilities.codecs.map((codec) => codec.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));

    const moderator = await (await room()).moderator();
    await moderator.waitForState((state) => state.self.state === 'admitted');
    expect(await moderator.request('media:rtpCapabilities', {})).toEqual({ ok: true, data: { rtpCapabilities } });
  });

  it('tells each browser how many cameras to show (VIDEO_LAST_N)', async () => {
    const moderator = await (await room()).moderator();
    expect((await moderator.waitForState(() => true)).videoLastN).toBe(12);
  });
});

describe('the waiting room', () => {
  it('holds guests who arrive first, with no media, and admits them together when the moderator arrives', async () => {
    const conference = await room();
    const first = await conference.guest('Anna');
    const second = await conference.guest('Ben');
    const waiting = await first.waitForState((state) => state.waitingCount === 2);
    expect(waiting.self.state).toBe('waiting');
    expect(waiting.participants).toEqual([]);
    expect(waiting.moderatorPresent).toBe(false);
    const refused = await first.request('media:createTransport', { direction: 'recv' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });

    const moderator = await conference.moderator();
    for (const guest of [first, second]) {
      const admitted = await guest.waitForState((state) => state.self.state === 'admitted');
      expect(admitted.participants.map((p) => p.displayName).sort()).toEqual(['Anna', 'Ben', 'Moderatorin']);
    }
    expect((await moderator.waitForState((state) => state.participants.length === 3)).waitingCount).toBe(0);
    const late = await conference.guest('Clara');
    expect((await late.waitForState(() => true)).self.state).toBe('admitted');
  });

  it('with manual admission shows the moderator the waiting list and admits on request', async () => {
    const conference = await room({ admission: 'manual', moderatorLeaves: 'continue' });
    const guest = await conference.guest('Anna');
    const moderator = await conference.moderator();
    const list = await moderator.waitForState((state) => state.waiting.length === 1);
    expect(list.waiting[0]).toMatchObject({ id: guest.id, displayName: 'Anna', state: 'waiting', via: 'browser' });
    expect(guest.state!.self.state).toBe('waiting');
    expect(await moderator.request('moderator:admit', { participantId: guest.id })).toEqual({ ok: true, data: {} });
    await guest.waitForState((state) => state.self.state === 'admitted');
  });
});

describe('moderator controls', () => {
  it('are refused to participants with an error acknowledgement', async () => {
    const conference = await room();
    await conference.moderator();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'admitted');
    for (const [name, payload] of [
      ['moderator:muteAll', {}],
      ['moderator:end', {}],
      ['moderator:setLocked', { locked: true }],
      ['moderator:remove', { participantId: guest.id }],
    ] as const) {
      expect(await guest.request(name, payload)).toMatchObject({ ok: false, error: { code: 'MODERATOR_ONLY', message: 'Das darf nur der Moderator.' } });
    }
  });

  it('lock turns away new guests at the door but lets the moderator in', async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    await moderator.request('moderator:setLocked', { locked: true });
    await moderator.waitForState((state) => state.locked);
    const refused = await app.client().post('/api/conference/join', { roomNumber: conference.roomNumber, pin: PARTICIPANT_PIN, displayName: 'Spät' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ROOM_LOCKED');
    expect((await conference.tokenFor(MODERATOR_PIN, 'Co-Moderator')).role).toBe('moderator');
    await moderator.request('moderator:setLocked', { locked: false });
    await moderator.waitForState((state) => !state.locked);
    expect((await conference.tokenFor(PARTICIPANT_PIN, 'Jetzt')).role).toBe('participant');
  });

  it("remove ends the guest's conference, and their token no longer gets back in", async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    const guest = await conference.guest();
    await moderator.waitForState((state) => state.participants.length === 2);
    await moderator.request('moderator:remove', { participantId: guest.id });
    expect(await guest.waitForEvent('conference:ended')).toEqual({ reason: 'removed' });
    await guest.waitForDisconnect();
    await moderator.waitForState((state) => state.participants.length === 1);
    await expect(ConferenceParticipant.connect(app.url, guest.token)).rejects.toThrow('CONFERENCE_TOKEN_INVALID');

    // With the PIN they get a new id, and wait where the moderator sees them.
    const returning = await conference.guest('Zurück');
    await moderator.waitForState((state) => state.screeningNewcomers && state.waiting.some((entry) => entry.id === returning.id));
    await returning.waitForState((state) => state.self.state === 'waiting' && state.moderatorPresent);
  });

  it('end closes the conference for everyone', async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'admitted');
    await moderator.request('moderator:end', {});
    expect(await guest.waitForEvent('conference:ended')).toEqual({ reason: 'ended-by-moderator' });
    expect(await moderator.waitForEvent('conference:ended')).toEqual({ reason: 'ended-by-moderator' });
  });
});

describe('when the last moderator leaves', () => {
  it.each([
    ['continue', (guest: ConferenceParticipant) => guest.waitForState((state) => !state.moderatorPresent && state.self.state === 'admitted')],
    ['back-to-waiting', (guest: ConferenceParticipant) => guest.waitForState((state) => state.self.state === 'waiting')],
    ['end', (guest: ConferenceParticipant) => guest.waitForEvent('conference:ended')],
  ] as const)('policy %s', async (moderatorLeaves, outcome) => {
    const conference = await room({ admission: 'all-on-moderator', moderatorLeaves });
    const moderator = await conference.moderator();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'admitted');
    await moderator.request('conference:leave', {});
    await outcome(guest);
  });

  it("waits out the grace period when the moderator's connection drops, and not when they come back", async () => {
    const conference = await room({ admission: 'all-on-moderator', moderatorLeaves: 'end' });
    const moderator = await conference.moderator();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'admitted');
    moderator.close();
    await guest.waitForState((state) => state.participants.some((entry) => entry.id === moderator.id && !entry.connected));
    const back = await ConferenceParticipant.connect(app.url, moderator.token);
    open.push(back);
    expect((await back.waitForState(() => true)).self).toMatchObject({ id: moderator.id, role: 'moderator', state: 'admitted', connected: true });
    await guest.waitForState((state) => state.participants.some((entry) => entry.id === moderator.id && entry.connected));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(guest.events.some((entry) => entry.event === 'conference:ended')).toBe(false);
    back.close();
    expect(await guest.waitForEvent('conference:ended', 5_000)).toEqual({ reason: 'moderator-left' });
  });
});

describe('participant attributes', () => {
  it("are set by a participant on themselves and shown to the room; only a moderator clears someone else's", async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    const guest = await conference.guest('Anna');
    await guest.waitForState((state) => state.self.state === 'admitted');
    expect(guest.state!.self.attributes).toEqual({});

    expect(await guest.request('participant:setAttributes', { attributes: { hand: 'raised', lang: 'de' } })).toEqual({ ok: true, data: {} });
    expect(await guest.request('participant:setAttributes', { attributes: { lang: null } })).toEqual({ ok: true, data: {} });
    const seen = await moderator.waitForState((state) =>
      state.participants.some((p) => p.id === guest.id && p.attributes.hand === 'raised' && !('lang' in p.attributes)),
    );
    expect(seen.participants.find((p) => p.id === guest.id)!.attributes).toEqual({ hand: 'raised' });
    expect((await guest.waitForState((state) => state.self.attributes.hand === 'raised')).self.attributes).toEqual({ hand: 'raised' });

    expect(await guest.request('moderator:clearAttributes', { participantId: moderator.state!.self.id })).toMatchObject({
      ok: false,
      error: { code: 'MODERATOR_ONLY' },
    });
    expect(await moderator.request('moderator:clearAttributes', { participantId: guest.id })).toEqual({ ok: true, data: {} });
    await guest.waitForState((state) => Object.keys(state.self.attributes).length === 0);
    await moderator.waitForState((state) => state.participants.every((p) => Object.keys(p.attributes).length === 0));
  });

  it('refuse bad keys, long values and too many keys with field errors, and change nothing', async () => {
    const conference = await room();
    await conference.moderator();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'admitted');
    const refused = (field: string, code: string) => ({
      ok: false,
      error: { code: 'VALIDATION_FAILED', fieldErrors: [expect.objectContaining({ field, code })] },
    });
    expect(await guest.request('participant:setAttributes', { attributes: { Hand: 'up' } })).toMatchObject(
      refused('attributes.Hand', 'validation.attributes.key'),
    );
    expect(await guest.request('participant:setAttributes', { attributes: { hand: 'x'.repeat(65) } })).toMatchObject(
      refused('attributes.hand', 'validation.tooLong'),
    );
    expect(await guest.request('participant:setAttributes', { attributes: ['hand'] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const eight = Object.fromEntries([...Array(8).keys()].map((i) => [`k${i}`, 'v']));
    expect(await guest.request('participant:setAttributes', { attributes: { ...eight, k8: 'v' } })).toMatchObject(
      refused('attributes', 'validation.attributes.tooMany'),
    );
    expect(await guest.request('participant:setAttributes', { attributes: eight })).toEqual({ ok: true, data: {} });
    const full = await guest.waitForState((state) => Object.keys(state.self.attributes).length === 8);
    const tooMany = await guest.request('participant:setAttributes', { attributes: { extra: 'v' } });
    expect(tooMany).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        fieldErrors: [{ field: 'attributes', code: 'validation.attributes.tooMany', message: 'Höchstens 8 Angaben pro Teilnehmer.' }],
      },
    });
    expect(guest.state!.self.attributes).toEqual(full.self.attributes);
  });

  it('cannot be set while waiting', async () => {
    const conference = await room();
    const guest = await conference.guest();
    await guest.waitForState((state) => state.self.state === 'waiting');
    expect(await guest.request('participant:setAttributes', { attributes: { hand: 'raised' } })).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });
  });
});

describe('bad input on the socket', () => {
  it('refuses a connection without a valid token', async () => {
    for (const auth of [{}, { token: 'forged.token' }, { token: { $gt: '' } }]) {
      const socket = io(`${app.url}/conference`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(error.message).toBe('CONFERENCE_TOKEN_INVALID');
      socket.close();
    }
  });

  it('answers malformed requests with field errors and survives events without acknowledgement', async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    for (const payload of [undefined, 'text', 42, [], { locked: 'yes' }, { locked: { $ne: true } }]) {
      const answer = await moderator.request('moderator:setLocked', payload);
      expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const produce = await moderator.request('media:produce', { transportId: 'x', kind: 'audio', rtpParameters: { codecs: [] }, source: 'microphone' });
    expect(produce).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const unknown = await moderator.request('media:connectTransport', { transportId: 'does-not-exist', dtlsParameters: { fingerprints: [] } });
    expect(unknown.ok).toBe(false);
    const emit = moderator.socket.emit.bind(moderator.socket) as (...args: unknown[]) => void;
    emit('moderator:setLocked', { locked: true });
    emit('no-such-event', { a: 1 }, () => undefined);
    expect(await moderator.request('moderator:setLocked', { locked: false })).toEqual({ ok: true, data: {} });
  });
});
