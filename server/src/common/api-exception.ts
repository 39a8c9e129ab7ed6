import { HttpException } from '@nestjs/common';
import type { ErrorCode } from '@konferenz/shared';

export interface ApiFieldProblem {
  field: string;
  /** A catalogue key, translated by the error filter into the request's language. */
  code: string;
}

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  TOKEN_INVALID: 400,
  UNAUTHENTICATED: 401,
  INVALID_ROOM_OR_PIN: 401,
  CONFERENCE_TOKEN_INVALID: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  PIN_SETUP_REQUIRED: 403,
  CSRF_REJECTED: 403,
  ROOM_LOCKED: 403,
  NOT_ADMITTED: 403,
  MODERATOR_ONLY: 403,
  NOT_FOUND: 404,
  PINS_ALREADY_SET: 409,
  USERNAME_TAKEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  ROOM_ON_OTHER_NODE: 409,
  CHAT_DISABLED: 403,
  CHAT_RATE_LIMITED: 429,
  MEDIA_FAILED: 500,
};

/** What a refusal tells the refused client about its own budget, never about anyone else's. */
export interface ApiRefusalDetails {
  /** Failures still allowed before the next attempt is locked out. */
  attemptsLeft?: number;
  /** When a locked-out client may try again (also sent as Retry-After). */
  retryAt?: Date;
}

/** The one exception features throw: a code from the shared enum, optionally with field problems and refusal details. */
export class ApiException extends HttpException {
  constructor(
    readonly code: ErrorCode,
    readonly fieldProblems: ApiFieldProblem[] = [],
    readonly details: ApiRefusalDetails = {},
  ) {
    super(code, STATUS[code]);
  }
}
