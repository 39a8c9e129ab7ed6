import type { MuteOnEntry } from '@konferenz/shared';

/**
 * The room setting `muteOnEntry`: whether a guest entering now enters muted, given how many other
 * guests are inside at that moment. Those waiting, and those who have left, do not count: a room
 * set to "after 5" lets a sixth guest in unmuted once one of the first five has gone.
 */
export function entersMuted(rule: MuteOnEntry, guestsInside: number): boolean {
  switch (rule.mode) {
    case 'off':
      return false;
    case 'all':
      return true;
    case 'after':
      return guestsInside >= rule.guests;
  }
}
