import {
  ERROR_CODES,
  ROUTES,
  type ChangePasswordRequest,
  type ChangePinRequest,
  type DeleteAccountRequest,
  type ErrorCode,
  type ErrorResponse,
  type FieldError,
  type HostRequest,
  type JoinRequest,
  type Language,
  type LoginRequest,
  type PinSetupRequest,
  type RegisterRequest,
  type RoomSettings,
  type Route,
  type UpdateProfileRequest,
  type VerifyEmailRequest,
  CSRF_HEADER,
} from '@konferenz/shared';
import type { ShownFieldError } from './form-errors';
import { currentLanguage, type Problem } from './i18n.svelte';
import { pinRefusalText } from './pin-refusal';

/** `NETWORK`: no answer at all (server down, connection lost). */
export type ApiErrorCode = ErrorCode | 'NETWORK';

/** What a refusal told about the client's own budget: tries left, or when to try again. */
export type RefusalDetails = Pick<ErrorResponse, 'attemptsLeft' | 'retryAt'>;

/** A failed API call, carrying the server's one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fieldErrors: ShownFieldError[] = [],
    readonly details: RefusalDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What to tell the user about the request as a whole. */
  get problem(): Problem {
    return this.code === 'NETWORK' ? { key: 'ui.error.network' } : { key: `error.${this.code}`, fallback: this.message };
  }
}

/**
 * A wrong password on a form that already knows who you are is a problem of its password field:
 * turns INVALID_CREDENTIALS into that field's error (the form then asks to check the marked field,
 * rather than speaking of a username); any other error passes through unchanged.
 */
export function wrongPasswordIn(field: string, error: unknown): unknown {
  if (!(error instanceof ApiError) || error.code !== 'INVALID_CREDENTIALS') return error;
  const fieldError = { field, code: 'ui.account.password.wrong', message: error.message };
  return new ApiError(error.status, 'VALIDATION_FAILED', error.message, [fieldError]);
}

/**
 * A PIN the server refused (wrong, or too many wrong ones from here) is a problem of the PIN field:
 * the form marks it there. Room number and PIN are refused alike, so the room number is never
 * marked: that would tell which rooms exist. The field says how many tries are left, or until when
 * they are locked (pin-refusal.ts). Any other error passes through unchanged.
 */
export function pinRefusedIn(field: string, error: unknown): unknown {
  if (!(error instanceof ApiError) || (error.code !== 'INVALID_ROOM_OR_PIN' && error.code !== 'TOO_MANY_REQUESTS')) return error;
  const refusal = { code: error.code, ...error.details };
  const fieldError = {
    field,
    code: `error.${error.code}`,
    message: error.message,
    text: (language: Language) => pinRefusalText(language, refusal, new Date()),
  };
  return new ApiError(error.status, 'VALIDATION_FAILED', error.message, [fieldError]);
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
};

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The refusal details that are well-formed; anything else is left out, not trusted. */
function refusalDetails({ attemptsLeft, retryAt }: Record<string, unknown>): RefusalDetails {
  return {
    ...(typeof attemptsLeft === 'number' && Number.isInteger(attemptsLeft) && attemptsLeft >= 0 && { attemptsLeft }),
    ...(typeof retryAt === 'string' && !Number.isNaN(Date.parse(retryAt)) && { retryAt }),
  };
}

function isFieldError(value: unknown): value is FieldError {
  if (typeof value !== 'object' || value === null) return false;
  const { field, code, message } = value as Record<string, unknown>;
  return typeof field === 'string' && typeof code === 'string' && typeof message === 'string';
}

/** Reads the server's ErrorResponse; a proxy's HTML error page still yields a sensible code. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = isErrorCode(fields.code) ? fields.code : (CODE_BY_STATUS[response.status] ?? 'INTERNAL');
  const message = typeof fields.message === 'string' ? fields.message : response.statusText;
  const fieldErrors = Array.isArray(fields.fieldErrors) ? fields.fieldErrors.filter(isFieldError) : [];
  return new ApiError(response.status, code, message, fieldErrors, refusalDetails(fields));
}

/** SvelteKit's load functions pass their own fetch; elsewhere the global one is used. */
type Fetch = typeof fetch;

/** One call of a shared route: its method and path, and the body and answer its types name. */
async function request<RequestBody, ResponseBody>(
  route: Route<RequestBody, ResponseBody>,
  body: NoInfer<RequestBody>,
  fetchFn: Fetch = fetch,
): Promise<ResponseBody> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLanguage(),
  };
  if (route.method !== 'GET') headers[CSRF_HEADER] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetchFn(route.path, {
      method: route.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as ResponseBody;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as ResponseBody;
}

/** Every REST call the web client makes; routes and bodies follow @konferenz/shared. */
export const api = {
  register: (body: RegisterRequest) => request(ROUTES.register, body),
  verifyEmail: (body: VerifyEmailRequest) => request(ROUTES.verifyEmail, body),

  login: (body: LoginRequest) => request(ROUTES.login, body),
  logout: () => request(ROUTES.logout, undefined),
  session: (fetchFn?: Fetch) => request(ROUTES.session, undefined, fetchFn),

  account: (fetchFn?: Fetch) => request(ROUTES.account, undefined, fetchFn),
  setUpPins: (body: PinSetupRequest) => request(ROUTES.setUpPins, body),
  changeModeratorPin: (body: ChangePinRequest) => request(ROUTES.changeModeratorPin, body),
  changeParticipantPin: (body: ChangePinRequest) => request(ROUTES.changeParticipantPin, body),
  changePassword: (body: ChangePasswordRequest) => request(ROUTES.changePassword, body),
  updateProfile: (body: UpdateProfileRequest) => request(ROUTES.updateProfile, body),
  resendVerificationEmail: () => request(ROUTES.resendVerificationEmail, undefined),
  deleteAccount: (body: DeleteAccountRequest) => request(ROUTES.deleteAccount, body),
  roomSettings: (fetchFn?: Fetch) => request(ROUTES.roomSettings, undefined, fetchFn),
  updateRoomSettings: (body: RoomSettings) => request(ROUTES.updateRoomSettings, body),

  /** Guests and hosts alike, with room number and PIN; public. */
  joinConference: (body: JoinRequest) => request(ROUTES.joinConference, body),
  /** The logged-in customer opening their own room as moderator, without a PIN. */
  hostConference: (body: HostRequest) => request(ROUTES.hostConference, body),
  mediaCapabilities: () => request(ROUTES.mediaCapabilities, undefined),
};
