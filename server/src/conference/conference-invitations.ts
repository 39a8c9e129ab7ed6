import { Inject, Injectable } from '@nestjs/common';
import type { ConferenceInvitationView, ConferenceRole } from '@konferenz/shared';
import { AccountLinks } from '../accounts/account-links';
import { RoomsService } from '../rooms/rooms.service';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';

/**
 * What a participant may pass on from inside the conference: moderators the whole invitation
 * (participant PIN, dial-in numbers, SIP URI), guests only the link. Read from the account at each
 * request, so a participant PIN changed during the conference is the one given out.
 */
@Injectable()
export class ConferenceInvitations {
  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    private readonly rooms: RoomsService,
    private readonly links: AccountLinks,
  ) {}

  async forRole(roomNumber: string, role: ConferenceRole): Promise<ConferenceInvitationView> {
    const invitation: ConferenceInvitationView = { roomNumber, joinUrl: this.links.join(roomNumber), forModerators: null };
    if (role !== 'moderator') return invitation;
    const owner = await this.users.findActiveByRoomNumber(roomNumber);
    const participantPin = owner ? this.rooms.participantPin(owner.room) : null;
    return { ...invitation, forModerators: { participantPin, dialIn: this.links.dialIn(roomNumber) } };
  }
}
