import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import type { AuthenticatedUser } from './authenticated-user';
import { CredentialsService } from './credentials.service';

@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly credentials: CredentialsService) {
    super({ usernameField: 'login', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: Request, login: string, password: string): Promise<AuthenticatedUser> {
    return this.credentials.verify(login, password, request.ip ?? 'unknown');
  }
}
