import type { ConferenceRole } from '@konferenz/shared';
import { DTMF_DIGITS, type DtmfDigit } from '@konferenz/sip';
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

/** What a key does: a conference action, or the help, which the menu says itself. */
export type KeypadAction = ConferenceAction | { type: 'help' };

export interface KeypadCommand {
  action: KeypadAction;
  /** Who may use the key: for anyone else it does nothing. */
  roles: readonly ConferenceRole[];
  /** What the help says about the key (null for the help key itself): the help is made from this table, so it lists every key. */
  help: IvrPromptId | null;
}

export type PhoneKeypad = Readonly<Partial<Record<DtmfDigit, KeypadCommand>>>;

/** The keys a caller presses in the conference, each after '*'. Keys not listed do nothing. */
export const PHONE_KEYPAD: PhoneKeypad = {
  '6': { action: { type: 'toggle-mute' }, roles: ['moderator', 'participant'], help: 'help-mute' },
  '#': { action: { type: 'participant-count' }, roles: ['moderator', 'participant'], help: 'help-count' },
  '5': { action: { type: 'toggle-lock' }, roles: ['moderator'], help: 'help-lock' },
  '9': { action: { type: 'mute-others' }, roles: ['moderator'], help: 'help-mute-others' },
  // *0, as on many bridges, where it is help or the operator.
  '0': { action: { type: 'help' }, roles: ['moderator', 'participant'], help: null },
  // Raise hand, as in the browser (client/src/lib/conference/raised-hands.ts): the attribute's
  // value is when the hand went up, so everyone sees the same order. *3 as in Webex; *9, which
  // some bridges use, is the moderators' "mute everyone else" here.
  '3': {
    action: { type: 'toggle-attribute', attribute: 'hand', value: () => String(Date.now()), prompts: { set: 'hand-raised', cleared: 'hand-lowered' } },
    roles: ['moderator', 'participant'],
    help: 'help-hand',
  },
};

/** What the key pressed after '*' does for a caller with this role, if anything. */
export function keypadAction(digit: DtmfDigit, role: ConferenceRole | null, keypad: PhoneKeypad = PHONE_KEYPAD): KeypadAction | null {
  const command = keypad[digit];
  return command && role && command.roles.includes(role) ? command.action : null;
}

/** The help's lines for a caller with this role: one per key it may use, in key order (*0 to *9, then *#). */
export function keypadHelp(role: ConferenceRole, keypad: PhoneKeypad = PHONE_KEYPAD): IvrPromptId[] {
  return DTMF_DIGITS.flatMap((digit) => {
    const command = keypad[digit];
    return command?.help && command.roles.includes(role) ? [command.help] : [];
  });
}
