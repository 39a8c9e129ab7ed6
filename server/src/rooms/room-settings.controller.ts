import { Body, Controller, Inject } from '@nestjs/common';
import { ROUTES, withDefaultRoomSettings, roomSettingsSchema, type RoomSettings } from '@konferenz/shared';
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
    return withDefaultRoomSettings(await this.users.findOwnRoomSettings(user.id));
  }

  @Route(ROUTES.updateRoomSettings)
  async update(@CurrentUser() user: AuthenticatedUser, @Body(new ZodBody(roomSettingsSchema)) settings: RoomSettings): Promise<RoomSettings> {
    await this.users.setRoomSettings(user.id, settings);
    return settings;
  }
}
