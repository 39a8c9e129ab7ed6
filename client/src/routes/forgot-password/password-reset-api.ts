import { CSRF_HEADER, ROUTES, type ForgotPasswordRequest, type ForgotPasswordResponse, type ResetPasswordRequest } from '@konferenz/shared';
import { ApiError, errorFromResponse } from '#lib/api.js';
import { currentLanguage } from '#lib/i18n.svelte.js';

/** A public POST as the API client sends it: JSON, the page's language, the CSRF header. */
async function post(path: string, body: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Accept-Language': currentLanguage(),
        'Content-Type': 'application/json',
        [CSRF_HEADER]: '1',
      },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : String(cause));
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/** The two calls of "Forgot password?", shared by /forgot-password and /reset-password. */
export const passwordResetApi = {
  forgotPassword: async (body: ForgotPasswordRequest) => (await (await post(ROUTES.forgotPassword.path, body)).json()) as ForgotPasswordResponse,
  resetPassword: async (body: ResetPasswordRequest) => {
    await post(ROUTES.resetPassword.path, body);
  },
};
