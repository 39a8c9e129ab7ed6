import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiException } from '../common/api-exception';
import { ALLOWED_BEFORE_PIN_SETUP, IS_PUBLIC } from '../common/public.decorator';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * The global guard: every route needs a session unless marked @Public(), and a customer who has
 * not set both PINs yet may only do what @AllowedBeforePinSetup() routes allow.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.isAuthenticated()) throw new ApiException('UNAUTHENTICATED');
    const user = request.user as AuthenticatedUser;
    if (!user.pinsSet && !this.reflector.getAllAndOverride<boolean>(ALLOWED_BEFORE_PIN_SETUP, targets)) {
      throw new ApiException('PIN_SETUP_REQUIRED');
    }
    return true;
  }
}
