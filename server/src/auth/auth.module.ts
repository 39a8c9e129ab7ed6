import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { SecurityModule } from '../security/security.module';
import { UsersModule } from '../users/users.module';
import { SessionSweep } from '../web/session-sweep';
import { AuthController } from './auth.controller';
import { CredentialsService } from './credentials.service';
import { LocalStrategy } from './local.strategy';
import { PasswordResetModule } from './password-reset/password-reset.module';
import { SessionGuard } from './session.guard';
import { SessionSerializer } from './session.serializer';

@Module({
  imports: [PassportModule.register({ session: true }), UsersModule, SecurityModule, PasswordResetModule],
  controllers: [AuthController],
  providers: [CredentialsService, LocalStrategy, SessionSerializer, SessionSweep, { provide: APP_GUARD, useClass: SessionGuard }],
  // The customer area confirms passwords against the same attempt budget as the login.
  exports: [CredentialsService],
})
export class AuthModule {}
