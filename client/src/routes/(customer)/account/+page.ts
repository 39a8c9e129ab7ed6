import type { RoomSettings } from '@konferenz/shared';
import { api } from '#lib/api.js';
import type { PageLoad } from './$types';

/** The conference settings card is one of many: if they cannot be loaded, the rest of the page still shows. */
export const load: PageLoad = async ({ fetch }) => {
  const roomSettings: RoomSettings | null = await api.roomSettings(fetch).catch(() => null);
  return { roomSettings };
};
