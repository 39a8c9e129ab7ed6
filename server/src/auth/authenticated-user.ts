import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** What the session carries for a logged-in customer; everything else is loaded when needed. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  pinsSet: boolean;
  language: 'de' | 'en';
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest<Request>().user as AuthenticatedUser,
);
