import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import {
  registerRequestSchema,
  verifyEmailRequestSchema,
  type RegisterRequest,
  type RegisterResponse,
  type VerifyEmailRequest,
} from '@konferenz/shared';
import { Public } from '../common/public.decorator';
import { ZodBody } from '../common/validate';
import { RegistrationService } from './registration.service';

@Public()
@Controller('api/accounts')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @HttpCode(202)
  async register(@Body(new ZodBody(registerRequestSchema)) body: RegisterRequest, @Req() request: Request): Promise<RegisterResponse> {
    await this.registration.register(body, request.ip ?? 'unknown');
    return { status: 'check-your-mailbox' };
  }

  @Post('verify-email')
  @HttpCode(204)
  verifyEmail(@Body(new ZodBody(verifyEmailRequestSchema)) body: VerifyEmailRequest): Promise<void> {
    return this.registration.verifyEmail(body.token);
  }
}
