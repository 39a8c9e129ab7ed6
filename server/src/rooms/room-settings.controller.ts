import { Body, Controller, Get, Put } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DEFAULT_ROOM_SETTINGS, roomSettingsSchema, type RoomSettings } from '@konferenz/shared';
import { User } from '../accounts/schemas/user.schema';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ZodBody } from '../common/validate';

/** The customer's conference settings; they apply from the next time the room opens. */
@Controller('api/account/room-settings')
export class RoomSettingsController {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  @Get()
  async show(@CurrentUser() user: AuthenticatedUser): Promise<RoomSettings> {
    const owner = await this.users.findById(user.id).select('room.settings').lean();
    return owner?.room.settings ?? DEFAULT_ROOM_SETTINGS;
  }

  @Put()
  async update(@CurrentUser() user: AuthenticatedUser, @Body(new ZodBody(roomSettingsSchema)) settings: RoomSettings): Promise<RoomSettings> {
    await this.users.updateOne({ _id: user.id, deletedAt: null }, { $set: { 'room.settings': settings } });
    return settings;
  }
}
