import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { User, UserSchema } from '../accounts/schemas/user.schema';
import { MailModule } from '../mail/mail.module';
import { SecurityModule } from '../security/security.module';
import { RoomAccess } from './room-access.service';
import { RoomSettingsController } from './room-settings.controller';
import { RoomsService } from './rooms.service';

@Module({
  imports: [SecurityModule, MailModule, MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  controllers: [RoomSettingsController],
  providers: [RoomsService, RoomAccess],
  exports: [RoomsService, RoomAccess],
})
export class RoomsModule {}
