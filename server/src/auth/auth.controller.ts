import { Controller, HttpCode, Inject, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ROUTES, type SessionView } from '@konferenz/shared';
import { Public } from '../common/public.decorator';
import { Route } from '../common/route.decorator';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SESSION_COOKIE, sessionCookieOptions } from '../web/session-middleware';
import { CurrentUser, type AuthenticatedUser } from './authenticated-user';
import { LoginGuard } from './login.guard';

@Controller()
export class AuthController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @UseGuards(LoginGuard)
  @Route(ROUTES.login)
  @HttpCode(200)
  login(@CurrentUser() user: AuthenticatedUser): SessionView {
    return { authenticated: true, username: user.username, pinsSet: user.pinsSet, language: user.language };
  }

  @Public()
  @Route(ROUTES.logout)
  @HttpCode(204)
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await new Promise<void>((resolve, reject) => request.logout((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => request.session.destroy(() => resolve()));
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config));
  }

  @Public()
  @Route(ROUTES.session)
  session(@Req() request: Request): SessionView {
    if (!request.isAuthenticated()) return { authenticated: false };
    const user = request.user as AuthenticatedUser;
    return { authenticated: true, username: user.username, pinsSet: user.pinsSet, language: user.language };
  }
}
