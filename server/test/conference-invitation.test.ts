import type { ConferenceInvitationView, JoinResponse } from '@konferenz/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConferenceParticipant } from './support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from './support/customer';
import { startTestApp, type TestApp } from './support/test-app';

/** The invitation asked from inside the conference (conference:invitation), over real sockets against the real server. */

let app: TestApp;
const open: ConferenceParticipant[] = [];
beforeAll(async () => {
  app = await startTestApp({ DIAL_IN_NUMBERS: '+49 30 1234567, +41 44 1234567' });
});
afterEach(() => {
  for (const participant of open.splice(0)) participant.close();
});
afterAll(() => app?.close());

async function enter(roomNumber: string, pin: string, displayName: string) {
  const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin, displayName })).body;
  const participant = await ConferenceParticipant.connect(app.url, joined.token);
  open.push(participant);
  return Object.assign(participant, { id: joined.participantId });
}

const invitationOf = async (participant: ConferenceParticipant) => {
  const answer = await participant.request('conference:invitation', {});
  expect(answer).toMatchObject({ ok: true });
  return (answer as { data: ConferenceInvitationView }).data;
};

describe('the invitation from inside the conference', () => {
  it('gives moderators the participant PIN and the dial-in numbers, guests only the link, and nothing to those waiting', async () => {
    const { client, roomNumber } = await customerWithRoom(app);
    await client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'continue' });
    const moderator = await enter(roomNumber, MODERATOR_PIN, 'Moderatorin');
    await moderator.waitForState((state) => state.self.state === 'admitted');
    const joinUrl = expect.stringMatching(new RegExp(`^https?://[^/]+/join\\?room=${roomNumber}$`));
    expect(await invitationOf(moderator)).toEqual({
      roomNumber,
      joinUrl,
      forModerators: { participantPin: PARTICIPANT_PIN, dialIn: { numbers: ['+49 30 1234567', '+41 44 1234567'], sipUri: null } },
    });

    const guest = await enter(roomNumber, PARTICIPANT_PIN, 'Gast');
    await guest.waitForState((state) => state.self.state === 'waiting');
    expect(await guest.request('conference:invitation', {})).toMatchObject({ ok: false, error: { code: 'NOT_ADMITTED' } });
    await moderator.request('moderator:admit', { participantId: guest.id });
    await guest.waitForState((state) => state.self.state === 'admitted');
    const forGuest = await invitationOf(guest);
    expect(forGuest).toEqual({ roomNumber, joinUrl, forModerators: null });
    // Neither the answer nor anything else the guest received carries the participant PIN.
    expect(JSON.stringify([forGuest, guest.events])).not.toContain(PARTICIPANT_PIN);
  });

  it('gives out the participant PIN changed in the account while the conference runs', async () => {
    const { client, roomNumber } = await customerWithRoom(app);
    const moderator = await enter(roomNumber, MODERATOR_PIN, 'Moderatorin');
    await moderator.waitForState((state) => state.self.state === 'admitted');
    expect((await client.put('/api/account/pins/participant', { pin: '192837' })).status).toBe(200);
    expect((await invitationOf(moderator)).forModerators?.participantPin).toBe('192837');
  });
});
