import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MailModule } from '../mail/mail.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SecurityModule } from '../security/security.module';
import { UsersModule } from '../users/users.module';
import { AccountLinks } from './account-links';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

@Module({
  imports: [UsersModule, AuthModule, RoomsModule, SecurityModule, MailModule],
  controllers: [RegistrationController, AccountController],
  providers: [RegistrationService, AccountService, AccountLinks],
  // The conference's invite dialog gives out the same links as the account page.
  exports: [AccountLinks],
})
export class AccountsModule {}
