import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MailModule } from '../../mail/mail.module';
import { SecurityModule } from '../../security/security.module';
import { UsersModule } from '../../users/users.module';
import { PasswordResetController } from './password-reset.controller';
import { PasswordReset, PasswordResetSchema } from './password-reset.schema';
import { PasswordResetService } from './password-reset.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: PasswordReset.name, schema: PasswordResetSchema }]), UsersModule, SecurityModule, MailModule],
  controllers: [PasswordResetController],
  providers: [PasswordResetService],
})
export class PasswordResetModule {}
