import { Body, Controller, HttpCode, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  forgotPasswordRequestSchema,
  resetPasswordRequestSchema,
  ROUTES,
  type ForgotPasswordRequest,
  type ForgotPasswordResponse,
  type ResetPasswordRequest,
} from '@konferenz/shared';
import { Public } from '../../common/public.decorator';
import { Route } from '../../common/route.decorator';
import { ZodBody } from '../../common/validate';
import { networkSource } from '@konferenz/sip';
import { PasswordResetService } from './password-reset.service';

/** Public like the login; the CSRF middleware covers these POSTs as it covers every API call. */
@Public()
@Controller()
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Route(ROUTES.forgotPassword)
  @HttpCode(202)
  async forgotPassword(@Body(new ZodBody(forgotPasswordRequestSchema)) body: ForgotPasswordRequest, @Req() request: Request): Promise<ForgotPasswordResponse> {
    await this.resets.request(body.login, networkSource(request.ip));
    return { status: 'check-your-mailbox' };
  }

  @Route(ROUTES.resetPassword)
  @HttpCode(204)
  resetPassword(@Body(new ZodBody(resetPasswordRequestSchema)) body: ResetPasswordRequest): Promise<void> {
    return this.resets.reset(body.token, body.newPassword);
  }
}
