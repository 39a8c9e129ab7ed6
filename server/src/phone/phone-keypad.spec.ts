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
    const toggle = { type: 'toggle-attribute', attribute: 'mood', value: () => 'ok', prompts: { set: 'muted', cleared: 'unmuted' } } as const;
    const keypad: PhoneKeypad = { ...PHONE_KEYPAD, '2': { action: toggle, roles: ['participant'] } };
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
});
