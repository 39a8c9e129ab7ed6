import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { loginRequestSchema } from '@konferenz/shared';
import { validate } from '../common/validate';

/**
 * Guards run before pipes, so the body is validated here: passport-local would otherwise hand
 * an object such as {"$gt": ""} straight to the credential check. A successful check starts the
 * session (passport regenerates the session id, which defeats session fixation).
 */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.body = validate(loginRequestSchema, request.body);
    const allowed = (await super.canActivate(context)) as boolean;
    await super.logIn(request);
    return allowed;
  }

  /** Lets the credential check's own error (429, 401) through instead of passport's generic 401. */
  override handleRequest<TUser>(error: unknown, user: TUser): TUser {
    if (error) throw error;
    return user;
  }
}
