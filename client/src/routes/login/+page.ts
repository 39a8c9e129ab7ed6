import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { session } = await parent();
  if (session.authenticated) redirect(307, session.pinsSet ? '/account' : '/setup-pins');
};
