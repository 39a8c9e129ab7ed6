import { redirect } from '@sveltejs/kit';
import { api, ApiError } from '#lib/api.js';
import type { LayoutLoad } from './$types';

const PIN_SETUP = '/setup-pins';

/**
 * The customer area: only for logged-in customers, and only the PIN setup until both PINs are set
 * (the first login), as the seed asks.
 */
export const load: LayoutLoad = async ({ fetch, depends, url }) => {
  depends('app:account');
  try {
    const account = await api.account(fetch);
    const onPinSetup = url.pathname === PIN_SETUP;
    if (!account.pinsSet && !onPinSetup) redirect(307, PIN_SETUP);
    if (account.pinsSet && onPinSetup) redirect(307, '/account');
    return { account };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) redirect(307, '/login');
    throw error;
  }
};
