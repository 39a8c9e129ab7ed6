import type { ConferenceRole } from '@konferenz/shared';
import type { DtmfDigit } from '@konferenz/sip';
import type { IvrPromptId } from './ivr-prompts';

/** What a key does in the conference; PhoneParticipant carries it out. */
export type ConferenceAction =
  | { type: 'toggle-mute' }
  | { type: 'participant-count' }
  | { type: 'toggle-lock' }
  | { type: 'mute-others' }
  /**
   * Sets the caller's participant attribute `attribute` to `value` (participant:setAttributes),
   * or removes it when it has that value already, and confirms with `prompts.set` or
   * `prompts.cleared`: a feature the browsers build on attributes (raise hand, say) is one
   * entry here plus its two prompts.
   */
  | { type: 'toggle-attribute'; attribute: string; value: string; prompts: { set: IvrPromptId; cleared: IvrPromptId } };

export interface KeypadCommand {
  action: ConferenceAction;
  /** Who may use the key: for anyone else it does nothing. */
  roles: readonly ConferenceRole[];
}

export type PhoneKeypad = Readonly<Partial<Record<DtmfDigit, KeypadCommand>>>;

/** The keys a caller presses in the conference, each after '*'. Keys not listed do nothing. */
export const PHONE_KEYPAD: PhoneKeypad = {
  '6': { action: { type: 'toggle-mute' }, roles: ['moderator', 'participant'] },
  '#': { action: { type: 'participant-count' }, roles: ['moderator', 'participant'] },
  '5': { action: { type: 'toggle-lock' }, roles: ['moderator'] },
  '9': { action: { type: 'mute-others' }, roles: ['moderator'] },
};

/** What the key pressed after '*' does for a caller with this role, if anything. */
export function keypadAction(digit: DtmfDigit, role: ConferenceRole | null, keypad: PhoneKeypad = PHONE_KEYPAD): ConferenceAction | null {
  const command = keypad[digit];
  return command && role && command.roles.includes(role) ? command.action : null;
}
