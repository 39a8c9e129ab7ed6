import type { ConferenceRole } from '@konferenz/shared';
import type { DtmfDigit } from '@konferenz/sip';

export type ConferenceAction = 'toggle-mute' | 'participant-count' | 'toggle-lock' | 'mute-others';

interface KeypadCommand {
  action: ConferenceAction;
  /** Who may use the key: for anyone else it does nothing. */
  roles: readonly ConferenceRole[];
}

/** The keys a caller presses in the conference, each after '*'. Keys not listed do nothing. */
export const PHONE_KEYPAD: Readonly<Partial<Record<DtmfDigit, KeypadCommand>>> = {
  '6': { action: 'toggle-mute', roles: ['moderator', 'participant'] },
  '#': { action: 'participant-count', roles: ['moderator', 'participant'] },
  '5': { action: 'toggle-lock', roles: ['moderator'] },
  '9': { action: 'mute-others', roles: ['moderator'] },
};

/** What the key pressed after '*' does for a caller with this role, if anything. */
export function keypadAction(digit: DtmfDigit, role: ConferenceRole | null): ConferenceAction | null {
  const command = PHONE_KEYPAD[digit];
  return command && role && command.roles.includes(role) ? command.action : null;
}
