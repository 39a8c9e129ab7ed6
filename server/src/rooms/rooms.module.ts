import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { SecurityModule } from '../security/security.module';
import { UsersModule } from '../users/users.module';
import { RoomAccess } from './room-access.service';
import { RoomSettingsController } from './room-settings.controller';
import { RoomsService } from './rooms.service';

@Module({
  imports: [SecurityModule, MailModule, UsersModule],
  controllers: [RoomSettingsController],
  providers: [RoomsService, RoomAccess],
  exports: [RoomsService, RoomAccess],
})
export class RoomsModule {}
