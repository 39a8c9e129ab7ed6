import { goto } from '$app/navigation';
import type { ApiError } from './api';

/**
 * Errors that mean "you are somewhere you cannot be right now" lead to the page that fixes it:
 * an expired session to the login, missing PINs to the first-login PIN setup.
 * Returns true when it navigated.
 */
export async function followSessionError(error: ApiError): Promise<boolean> {
  if (error.code === 'UNAUTHENTICATED') {
    await goto('/login', { refreshAll: true });
    return true;
  }
  if (error.code === 'PIN_SETUP_REQUIRED') {
    await goto('/setup-pins', { refreshAll: true });
    return true;
  }
  return false;
}
