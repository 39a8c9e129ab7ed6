import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { DEFAULT_ROOM_SETTINGS, roomSettingsSchema, type RoomSettings } from '@konferenz/shared';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ZodBody } from '../common/validate';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';

/** The customer's conference settings; they apply from the next time the room opens. */
@Controller('api/account/room-settings')
export class RoomSettingsController {
  constructor(@Inject(USERS_REPOSITORY) private readonly users: UsersRepository) {}

  @Get()
  async show(@CurrentUser() user: AuthenticatedUser): Promise<RoomSettings> {
    return (await this.users.findOwnRoomSettings(user.id)) ?? DEFAULT_ROOM_SETTINGS;
  }

  @Put()
  async update(@CurrentUser() user: AuthenticatedUser, @Body(new ZodBody(roomSettingsSchema)) settings: RoomSettings): Promise<RoomSettings> {
    await this.users.setRoomSettings(user.id, settings);
    return settings;
  }
}
