import { DTMF_DIGITS } from '@konferenz/sip';
import { describe, expect, it } from 'vitest';
import { keypadAction, PHONE_KEYPAD, type PhoneKeypad } from './phone-keypad';

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
    const toggle = { type: 'toggle-attribute', attribute: 'hand', value: 'raised', prompts: { set: 'muted', cleared: 'unmuted' } } as const;
    const keypad: PhoneKeypad = { ...PHONE_KEYPAD, '3': { action: toggle, roles: ['participant'] } };
    expect(keypadAction('3', 'participant', keypad)).toEqual(toggle);
    expect(keypadAction('3', 'moderator', keypad)).toBeNull();
  });
});
