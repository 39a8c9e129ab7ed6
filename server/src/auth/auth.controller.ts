import { Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionView } from '@konferenz/shared';
import { Public } from '../common/public.decorator';
import { CurrentUser, type AuthenticatedUser } from './authenticated-user';
import { LoginGuard } from './login.guard';

@Controller('api/auth')
export class AuthController {
  @Public()
  @UseGuards(LoginGuard)
  @Post('login')
  @HttpCode(200)
  login(@CurrentUser() user: AuthenticatedUser): SessionView {
    return { authenticated: true, username: user.username, pinsSet: user.pinsSet, language: user.language };
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() request: Request): Promise<void> {
    await new Promise<void>((resolve, reject) => request.logout((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => request.session.destroy(() => resolve()));
  }

  @Public()
  @Get('session')
  session(@Req() request: Request): SessionView {
    if (!request.isAuthenticated()) return { authenticated: false };
    const user = request.user as AuthenticatedUser;
    return { authenticated: true, username: user.username, pinsSet: user.pinsSet, language: user.language };
  }
}
