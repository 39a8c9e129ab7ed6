import { DTMF_DIGITS } from '@konferenz/sip';
import { describe, expect, it } from 'vitest';
import { IVR_PROMPT_IDS } from './ivr-prompts';
import { keypadAction, keypadHelp, PHONE_KEYPAD, type PhoneKeypad } from './phone-keypad';

describe('the phone keypad', () => {
  it('gives every action one key, and nothing to the other keys', () => {
    const actions = Object.values(PHONE_KEYPAD).map((command) => JSON.stringify(command.action));
    expect(new Set(actions).size).toBe(actions.length);
    const unused = DTMF_DIGITS.filter((digit) => !(digit in PHONE_KEYPAD));
    for (const digit of unused) {
      expect(keypadAction(digit, 'moderator')).toBeNull();
      expect(keypadAction(digit, 'participant')).toBeNull();
    }
  });

  it("keeps the moderators' keys to moderators", () => {
    expect(keypadAction('5', 'participant')).toBeNull();
    expect(keypadAction('9', 'participant')).toBeNull();
    expect(keypadAction('5', 'moderator')).toEqual({ type: 'toggle-lock' });
    expect(keypadAction('6', 'participant')).toEqual({ type: 'toggle-mute' });
    expect(keypadAction('6', null)).toBeNull();
  });

  it('holds an attribute toggle and its confirmation prompts as a table entry', () => {
    const toggle = { type: 'toggle-attribute', attribute: 'mood', value: () => 'ok', prompts: { set: 'muted', cleared: 'unmuted' } } as const;
    const keypad: PhoneKeypad = { ...PHONE_KEYPAD, '2': { action: toggle, roles: ['participant'], help: null } };
    expect(keypadAction('2', 'participant', keypad)).toEqual(toggle);
    expect(keypadAction('2', 'moderator', keypad)).toBeNull();
  });

  it('raises and lowers the hand on *3 for everyone, with the time it went up as the browsers set it', () => {
    for (const role of ['moderator', 'participant'] as const) {
      const action = keypadAction('3', role);
      expect(action).toMatchObject({ type: 'toggle-attribute', attribute: 'hand', prompts: { set: 'hand-raised', cleared: 'hand-lowered' } });
      const before = Date.now();
      const value = Number(action?.type === 'toggle-attribute' ? action.value() : NaN);
      expect(value).toBeGreaterThanOrEqual(before);
      expect(value).toBeLessThanOrEqual(Date.now());
    }
  });

  it('gives help on *0 to everyone, made from the table: each key the role may use once, the help key itself not', () => {
    expect(keypadAction('0', 'participant')).toEqual({ type: 'help' });
    expect(keypadAction('0', 'moderator')).toEqual({ type: 'help' });
    expect(keypadHelp('participant')).toEqual(['help-hand', 'help-mute', 'help-count']);
    expect(keypadHelp('moderator')).toEqual(['help-hand', 'help-lock', 'help-mute', 'help-mute-others', 'help-count']);
    const described = Object.values(PHONE_KEYPAD).filter((command) => command.action.type !== 'help');
    for (const command of described) expect(IVR_PROMPT_IDS).toContain(command.help);
    expect(new Set(described.map((command) => command.help)).size).toBe(described.length);
  });

  it('lists a key added to the table in the help of the roles that may use it, in key order', () => {
    const keypad: PhoneKeypad = { ...PHONE_KEYPAD, '2': { action: { type: 'mute-others' }, roles: ['participant'], help: 'help-mute-others' } };
    expect(keypadHelp('participant', keypad)).toEqual(['help-mute-others', 'help-hand', 'help-mute', 'help-count']);
    expect(keypadHelp('moderator', keypad)).toEqual(keypadHelp('moderator'));
  });
});
