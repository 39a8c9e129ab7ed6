/** Every error the API returns carries one of these codes; clients switch on the code, never on the message. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_ROOM_OR_PIN',
  'CONFERENCE_TOKEN_INVALID',
  'ROOM_LOCKED',
  'NOT_ADMITTED',
  'MODERATOR_ONLY',
  'MEDIA_FAILED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'PIN_SETUP_REQUIRED',
  'PINS_ALREADY_SET',
  'USERNAME_TAKEN',
  'TOKEN_INVALID',
  'CSRF_REJECTED',
  'TOO_MANY_REQUESTS',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'SERVICE_UNAVAILABLE',
  'ROOM_ON_OTHER_NODE',
  'CHAT_DISABLED',
  'CHAT_RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  /** Dotted path of the field, e.g. `address.postalCode`. */
  field: string;
  /** Catalogue key of the problem, e.g. `validation.pin.trivial`. */
  code: string;
  message: string;
}

/** The one error shape of every endpoint. */
export interface ErrorResponse {
  code: ErrorCode;
  message: string;
  fieldErrors: FieldError[];
  /** A refused PIN: the failures this client's network source still has before it is locked out. */
  attemptsLeft?: number;
  /** A lockout: when this client may try again (ISO 8601), also sent as the Retry-After header. */
  retryAt?: string;
}
