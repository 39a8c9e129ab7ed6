import { describe, expect, it } from 'vitest';
import { InMemoryUsersRepository } from '../../test/support/in-memory-users-repository';
import { plainHasher, unitConfig } from '../../test/support/service-fakes';
import { AccountLinks } from '../accounts/account-links';
import { RoomsService } from '../rooms/rooms.service';
import { ConferenceInvitations } from './conference-invitations';

async function setUp() {
  const users = new InMemoryUsersRepository();
  const rooms = new RoomsService(plainHasher, unitConfig);
  const links = new AccountLinks(unitConfig);
  const owner = users.add();
  users.stored[0]!.room.participantPinCipher = await rooms.participantPinCipher(owner.room, '740215');
  return { users, rooms, links, roomNumber: owner.room.number, invitations: new ConferenceInvitations(users, rooms, links) };
}

describe('ConferenceInvitations', () => {
  it('gives a moderator the participant PIN and the dial-in lines, a guest only the link with the room filled in', async () => {
    const { invitations, links, roomNumber } = await setUp();
    const joinUrl = `${unitConfig.publicUrl}/join?room=${roomNumber}`;
    expect(await invitations.forRole(roomNumber, 'moderator')).toEqual({
      roomNumber,
      joinUrl,
      forModerators: { participantPin: '740215', dialIn: links.dialIn(roomNumber) },
    });
    expect(await invitations.forRole(roomNumber, 'participant')).toEqual({ roomNumber, joinUrl, forModerators: null });
  });

  it('reads the participant PIN at each request, so a PIN changed during the conference is the one given out', async () => {
    const { invitations, users, rooms, roomNumber } = await setUp();
    users.stored[0]!.room.participantPinCipher = await rooms.participantPinCipher(users.stored[0]!.room, '192837');
    expect((await invitations.forRole(roomNumber, 'moderator')).forModerators?.participantPin).toBe('192837');
  });
});
