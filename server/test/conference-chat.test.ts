import type { ChatMessageView, JoinResponse, RoomSettingsInput } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { startTestApp, type TestApp } from './support/test-app';

/** The chat over real sockets against the real server: who receives what, and every refusal's code. */

let app: TestApp;
const open: ConferenceParticipant[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => {
  for (const participant of open.splice(0)) participant.close();
});
afterAll(() => app?.close());

async function room(settings?: RoomSettingsInput) {
  const { client, roomNumber } = await customerWithRoom(app);
  if (settings) await client.put('/api/account/room-settings', settings);
  const enter = async (pin: string, displayName: string) => {
    const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin, displayName })).body;
    const participant = await ConferenceParticipant.connect(app.url, joined.token);
    open.push(participant);
    return Object.assign(participant, { id: joined.participantId });
  };
  return { guest: (name: string) => enter(PARTICIPANT_PIN, name), moderator: (name = 'Moderatorin') => enter(MODERATOR_PIN, name) };
}

const chatMessages = (participant: ConferenceParticipant) =>
  participant.events.filter((entry) => entry.event === 'chat:message').map((entry) => (entry.payload as ChatMessageView).text);

describe('the chat', () => {
  it('reaches everyone inside but not those waiting, is sent to late joiners, and refuses bad messages with clear codes', async () => {
    const conference = await room({ admission: 'manual', moderatorLeaves: 'continue' });
    const moderator = await conference.moderator();
    await moderator.waitForState((state) => state.self.state === 'admitted' && state.chatEnabled);
    const waiting = await conference.guest('Wartend');
    await waiting.waitForState((state) => state.self.state === 'waiting');

    expect(await waiting.request('chat:send', { text: 'darf ich?' })).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });
    for (const bad of [{ text: 'x'.repeat(1001) }, { text: '   ' }, { text: 42 }, {}, null]) {
      expect(await moderator.request('chat:send', bad)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const sent = await moderator.request('chat:send', { text: '  Willkommen https://example.org  ' });
    expect(sent).toMatchObject({ ok: true, data: { id: expect.any(String) } });
    const message = (await moderator.waitForEvent('chat:message')) as ChatMessageView;
    expect(message).toMatchObject({ senderId: moderator.id, senderName: 'Moderatorin', text: 'Willkommen https://example.org' });

    // Admitted now: the history arrives, with the message written while waiting outside.
    await moderator.request('moderator:admit', { participantId: waiting.id });
    expect(await waiting.waitForEvent('chat:history')).toEqual({ messages: [message] });
    expect(chatMessages(waiting)).toEqual([]);

    const late = await conference.guest('Später');
    await late.waitForState((state) => state.self.state === 'waiting');
    await moderator.request('moderator:admit', { participantId: late.id });
    expect(await late.waitForEvent('chat:history')).toEqual({ messages: [message] });
    await late.request('chat:send', { text: 'Hallo' });
    for (const participant of [moderator, waiting, late]) {
      await expect.poll(() => chatMessages(participant)).toEqual(participant === moderator ? ['Willkommen https://example.org', 'Hallo'] : ['Hallo']);
    }
  });

  it('is switched off and on by moderators only; everyone sees the switch, and the server refuses messages while it is off', async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    const guest = await conference.guest('Anna');
    await guest.waitForState((state) => state.self.state === 'admitted');

    expect(await guest.request('moderator:setChatEnabled', { enabled: false })).toMatchObject({ ok: false, error: { code: 'MODERATOR_ONLY' } });
    expect(await moderator.request('moderator:setChatEnabled', { enabled: 'no' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await moderator.request('moderator:setChatEnabled', { enabled: false })).toEqual({ ok: true, data: {} });
    await guest.waitForState((state) => !state.chatEnabled);
    const refused = await guest.request('chat:send', { text: 'Hallo?' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CHAT_DISABLED', message: expect.stringContaining('Chat') } });
    await moderator.request('moderator:setChatEnabled', { enabled: true });
    await guest.waitForState((state) => state.chatEnabled);
    expect(await guest.request('chat:send', { text: 'Hallo!' })).toMatchObject({ ok: true });
  });

  it('limits each sender to five messages in ten seconds', async () => {
    const conference = await room();
    const moderator = await conference.moderator();
    await moderator.waitForState((state) => state.self.state === 'admitted');
    for (let i = 0; i < 5; i += 1) expect(await moderator.request('chat:send', { text: `m${i}` })).toMatchObject({ ok: true });
    expect(await moderator.request('chat:send', { text: 'm5' })).toMatchObject({ ok: false, error: { code: 'CHAT_RATE_LIMITED' } });
  });
});
