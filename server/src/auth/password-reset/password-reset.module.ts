import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { User, UserSchema } from '../../accounts/schemas/user.schema';
import { MailModule } from '../../mail/mail.module';
import { SecurityModule } from '../../security/security.module';
import { PasswordResetController } from './password-reset.controller';
import { PasswordReset, PasswordResetSchema } from './password-reset.schema';
import { PasswordResetService } from './password-reset.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: User.name, schema: UserSchema },
      { name: PasswordReset.name, schema: PasswordResetSchema },
    ]),
    SecurityModule,
    MailModule,
  ],
  controllers: [PasswordResetController],
  providers: [PasswordResetService],
})
export class PasswordResetModule {}
