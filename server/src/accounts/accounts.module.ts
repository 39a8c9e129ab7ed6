import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module';
import { MailModule } from '../mail/mail.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SecurityModule } from '../security/security.module';
import { AccountLinks } from './account-links';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';
import { User, UserSchema } from './schemas/user.schema';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }]), AuthModule, RoomsModule, SecurityModule, MailModule],
  controllers: [RegistrationController, AccountController],
  providers: [RegistrationService, AccountService, AccountLinks],
})
export class AccountsModule {}
