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
   * Sets the caller's participant attribute `attribute` to `value()` (participant:setAttributes)
   * when the caller does not have it, removes it when they do (whoever set it), and confirms with
   * `prompts.set` or `prompts.cleared`: a feature the browsers build on attributes (raise hand)
   * is one entry here plus its two prompts.
   */
  | { type: 'toggle-attribute'; attribute: string; value: () => string; prompts: { set: IvrPromptId; cleared: IvrPromptId } };

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
  // Raise hand, as in the browser (client/src/lib/conference/raised-hands.ts): the attribute's
  // value is when the hand went up, so everyone sees the same order. *3 as in Webex; *9, which
  // some bridges use, is the moderators' "mute everyone else" here.
  '3': {
    action: { type: 'toggle-attribute', attribute: 'hand', value: () => String(Date.now()), prompts: { set: 'hand-raised', cleared: 'hand-lowered' } },
    roles: ['moderator', 'participant'],
  },
};

/** What the key pressed after '*' does for a caller with this role, if anything. */
export function keypadAction(digit: DtmfDigit, role: ConferenceRole | null, keypad: PhoneKeypad = PHONE_KEYPAD): ConferenceAction | null {
  const command = keypad[digit];
  return command && role && command.roles.includes(role) ? command.action : null;
}
