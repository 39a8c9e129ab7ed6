import type { SessionView } from '@konferenz/shared';
import { api } from '#lib/api.js';
import { adoptAccountLanguage } from '#lib/i18n.svelte.js';
import type { LayoutLoad } from './$types';

// A single-page app: the server sends build/index.html for every page, the browser renders it.
export const ssr = false;
export const prerender = false;

const LOGGED_OUT: SessionView = { authenticated: false };

export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends('app:session');
  const session = await api.session(fetch).catch(() => LOGGED_OUT);
  if (session.language) adoptAccountLanguage(session.language);
  return { session };
};
