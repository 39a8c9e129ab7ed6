import { Body, Controller, Inject } from '@nestjs/common';
import { DEFAULT_ROOM_SETTINGS, ROUTES, roomSettingsSchema, type RoomSettings } from '@konferenz/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { Route } from '../common/route.decorator';
import { ZodBody } from '../common/validate';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';

/** The customer's conference settings; they apply from the next time the room opens. */
@Controller()
export class RoomSettingsController {
  constructor(@Inject(USERS_REPOSITORY) private readonly users: UsersRepository) {}

  @Route(ROUTES.roomSettings)
  async show(@CurrentUser() user: AuthenticatedUser): Promise<RoomSettings> {
    return (await this.users.findOwnRoomSettings(user.id)) ?? DEFAULT_ROOM_SETTINGS;
  }

  @Route(ROUTES.updateRoomSettings)
  async update(@CurrentUser() user: AuthenticatedUser, @Body(new ZodBody(roomSettingsSchema)) settings: RoomSettings): Promise<RoomSettings> {
    await this.users.setRoomSettings(user.id, settings);
    return settings;
  }
}
