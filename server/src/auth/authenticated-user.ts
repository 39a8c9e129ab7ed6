import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Language } from '@konferenz/shared';

/** What the session carries for a logged-in customer; everything else is loaded when needed. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  pinsSet: boolean;
  language: Language;
  /** The account's session epoch at login; a password change moves it on and ends older sessions. */
  sessionEpoch: number;
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest<Request>().user as AuthenticatedUser,
);
