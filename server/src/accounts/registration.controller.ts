import { Body, Controller, HttpCode, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  registerRequestSchema,
  ROUTES,
  verifyEmailRequestSchema,
  type RegisterRequest,
  type RegisterResponse,
  type VerifyEmailRequest,
  type VerifyEmailResponse,
} from '@konferenz/shared';
import { Public } from '../common/public.decorator';
import { Route } from '../common/route.decorator';
import { ZodBody } from '../common/validate';
import { RegistrationService } from './registration.service';

@Public()
@Controller()
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Route(ROUTES.register)
  @HttpCode(202)
  async register(@Body(new ZodBody(registerRequestSchema)) body: RegisterRequest, @Req() request: Request): Promise<RegisterResponse> {
    await this.registration.register(body, request.ip ?? 'unknown');
    return { status: 'check-your-mailbox' };
  }

  @Route(ROUTES.verifyEmail)
  @HttpCode(200)
  verifyEmail(@Body(new ZodBody(verifyEmailRequestSchema)) body: VerifyEmailRequest): Promise<VerifyEmailResponse> {
    return this.registration.verifyEmail(body.token);
  }
}
