import type { HostRequest, JoinRequest, JoinResponse } from '../conference/join';
import type { MediaJson } from '../conference/protocol';
import type { RoomSettings } from '../conference/room-settings';
import type {
  ChangePasswordRequest,
  ChangePinRequest,
  DeleteAccountRequest,
  LoginRequest,
  PinSetupRequest,
  RegisterRequest,
  UpdateProfileRequest,
  VerifyEmailRequest,
} from '../schemas/account';
import type { ForgotPasswordRequest, ForgotPasswordResponse, ResetPasswordRequest } from '../schemas/password-reset';
import type { AccountView, LivenessView, ReadinessView, RegisterResponse, SessionView, VerifyEmailResponse } from '../schemas/views';

/**
 * Under this prefix the server keeps sessions, checks CSRF and forbids caching; the health checks
 * stay outside it. It is part of each route's path: the server sets no global prefix.
 */
export const API_PREFIX = '/api';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/**
 * One HTTP route: its method and full path, and (as types only) the body it takes and what it
 * answers; `undefined` takes no body, `void` answers without one (204).
 */
export interface Route<RequestBody = undefined, ResponseBody = void> {
  readonly method: HttpMethod;
  readonly path: string;
  /** Never set at run time: carries the types to the client's calls. */
  readonly types?: { request: RequestBody; response: ResponseBody };
}

function route<RequestBody = undefined, ResponseBody = void>(method: HttpMethod, path: string): Route<RequestBody, ResponseBody> {
  return { method, path };
}

/**
 * Every HTTP route the server answers. The client builds its calls from these entries and each
 * controller handler is mapped with `@Route(ROUTES.<name>)`, so neither side can move a path
 * alone; server/src/common/routes.spec.ts checks the registered controllers against this list.
 * Request bodies are validated with the schema of the same name (`registerRequestSchema` for
 * `RegisterRequest`, …).
 */
export const ROUTES = {
  register: route<RegisterRequest, RegisterResponse>('POST', `${API_PREFIX}/accounts`),
  verifyEmail: route<VerifyEmailRequest, VerifyEmailResponse>('POST', `${API_PREFIX}/accounts/verify-email`),

  login: route<LoginRequest, SessionView>('POST', `${API_PREFIX}/auth/login`),
  logout: route('POST', `${API_PREFIX}/auth/logout`),
  session: route<undefined, SessionView>('GET', `${API_PREFIX}/auth/session`),
  forgotPassword: route<ForgotPasswordRequest, ForgotPasswordResponse>('POST', `${API_PREFIX}/auth/forgot-password`),
  resetPassword: route<ResetPasswordRequest>('POST', `${API_PREFIX}/auth/reset-password`),

  account: route<undefined, AccountView>('GET', `${API_PREFIX}/account`),
  setUpPins: route<PinSetupRequest, AccountView>('POST', `${API_PREFIX}/account/pins`),
  changeModeratorPin: route<ChangePinRequest>('PUT', `${API_PREFIX}/account/pins/moderator`),
  changeParticipantPin: route<ChangePinRequest, AccountView>('PUT', `${API_PREFIX}/account/pins/participant`),
  changePassword: route<ChangePasswordRequest>('PUT', `${API_PREFIX}/account/password`),
  updateProfile: route<UpdateProfileRequest, AccountView>('PUT', `${API_PREFIX}/account/profile`),
  resendVerificationEmail: route('POST', `${API_PREFIX}/account/verification-email`),
  deleteAccount: route<DeleteAccountRequest>('POST', `${API_PREFIX}/account/deletion`),
  roomSettings: route<undefined, RoomSettings>('GET', `${API_PREFIX}/account/room-settings`),
  updateRoomSettings: route<RoomSettings, RoomSettings>('PUT', `${API_PREFIX}/account/room-settings`),

  /** Guests and hosts alike, with room number and PIN; public. */
  joinConference: route<JoinRequest, JoinResponse>('POST', `${API_PREFIX}/conference/join`),
  /** The logged-in customer opening their own room as moderator, without a PIN. */
  hostConference: route<HostRequest, JoinResponse>('POST', `${API_PREFIX}/conference/host`),
  /** What the media routers offer (the same for every room); public, so the join page can prepare while devices are checked. */
  mediaCapabilities: route<undefined, { rtpCapabilities: MediaJson }>('GET', `${API_PREFIX}/conference/media-capabilities`),

  /** For orchestrators and monitors, at the root (no session, no CSRF, no database). */
  liveness: route<undefined, LivenessView>('GET', '/healthz'),
  readiness: route<undefined, ReadinessView>('GET', '/readyz'),
} as const;

export type RouteName = keyof typeof ROUTES;
