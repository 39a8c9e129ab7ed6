import { randomUUID } from 'node:crypto';
import type { JoinResponse, RoomSettingsInput } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConferenceEvent } from '../src/conference/conference-events';
import { ConferenceService } from '../src/conference/conference.service';
import { JOIN_TOKENS } from '../src/conference/conference.tokens';
import type { JoinTokens } from '../src/conference/join-token';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN } from './support/customer';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
const open: ConferenceParticipant[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => {
  for (const participant of open.splice(0)) participant.close();
});
afterAll(() => app?.close());

/** A participant seated the way the phone gateway seats a caller: a connection that records what the conference tells it. */
async function listener(roomNumber: string, role: 'moderator' | 'participant' = 'participant') {
  const { claims } = app.app.get<JoinTokens>(JOIN_TOKENS).issue({ room: roomNumber, pid: randomUUID(), role, name: 'Telefon' });
  const events: ConferenceEvent[] = [];
  let closed = false;
  await app.app
    .get(ConferenceService)
    .connect(claims, { id: randomUUID(), notify: (event) => events.push(event), send: () => undefined, close: () => (closed = true) }, 'phone');
  return { id: claims.pid, events, closed: () => closed };
}

async function room(settings: RoomSettingsInput) {
  const { client, roomNumber } = await customerWithRoom(app);
  await client.put('/api/account/room-settings', settings);
  const moderator = async () => {
    const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' })).body;
    const participant = await ConferenceParticipant.connect(app.url, joined.token);
    open.push(participant);
    return Object.assign(participant, { id: joined.participantId });
  };
  return { roomNumber, moderator };
}

const settle = (events: ConferenceEvent[], count: number) => vi.waitFor(() => expect(events).toHaveLength(count), { timeout: 5_000, interval: 20 });

describe('conference events', () => {
  it('tell a participant where they stand as it changes: waiting, the moderator there, admitted, back to waiting, and the end', async () => {
    const { roomNumber, moderator } = await room({ admission: 'manual', moderatorLeaves: 'back-to-waiting' });
    const phone = await listener(roomNumber);
    expect(phone.events).toEqual([{ type: 'waiting', moderatorPresent: false }]);

    const first = await moderator();
    await settle(phone.events, 2);
    expect(phone.events[1]).toEqual({ type: 'waiting', moderatorPresent: true });

    expect(await first.request('moderator:admit', { participantId: phone.id })).toMatchObject({ ok: true });
    await settle(phone.events, 3);
    expect(phone.events[2]).toEqual({ type: 'admitted', from: 'waiting', participantCount: 2 });
    // Nothing about the phone changed: nothing to tell it.
    expect(await first.request('moderator:setLocked', { locked: true })).toMatchObject({ ok: true });
    expect(await first.request('conference:leave', {})).toMatchObject({ ok: true });
    await settle(phone.events, 4);
    expect(phone.events[3]).toEqual({ type: 'waiting', moderatorPresent: false });

    // Had been in: a moderator's return lets the phone straight back in.
    const second = await moderator();
    await settle(phone.events, 5);
    expect(phone.events[4]).toEqual({ type: 'admitted', from: 'waiting', participantCount: 2 });
    expect(await second.request('moderator:end', {})).toMatchObject({ ok: true });
    await settle(phone.events, 6);
    expect(phone.events[5]).toEqual({ type: 'ended', reason: 'ended-by-moderator' });
    expect(phone.closed()).toBe(true);
  });

  it('tell an arrival let straight in how many are there, and one removed why they are out', async () => {
    const { roomNumber, moderator } = await room({ admission: 'all-on-moderator', moderatorLeaves: 'continue' });
    const host = await moderator();
    await host.waitForState(() => true);
    const phone = await listener(roomNumber);
    expect(phone.events).toEqual([{ type: 'admitted', from: 'arrival', participantCount: 2 }]);
    const conferences = app.app.get(ConferenceService);
    expect(conferences.participantCount(phone.id)).toBe(2);

    // Another moderator comes and the first leaves: for an admitted participant only an entry and
    // an exit (the callers' tones); then the removal says why it is out.
    const other = await moderator();
    expect(await host.request('conference:leave', {})).toMatchObject({ ok: true });
    expect(await other.request('moderator:remove', { participantId: phone.id })).toMatchObject({ ok: true });
    await settle(phone.events, 4);
    expect(phone.events.slice(1)).toEqual([{ type: 'someone-entered' }, { type: 'someone-left' }, { type: 'ended', reason: 'removed' }]);
  });

  it('let waiting participants in together when the moderator arrives, each told so', async () => {
    const { roomNumber, moderator } = await room({ admission: 'all-on-moderator', moderatorLeaves: 'end' });
    const phones = [await listener(roomNumber), await listener(roomNumber)];
    await moderator();
    for (const phone of phones) {
      await settle(phone.events, 2);
      expect(phone.events).toEqual([
        { type: 'waiting', moderatorPresent: false },
        { type: 'admitted', from: 'waiting', participantCount: 3 },
      ]);
    }
  });
});
