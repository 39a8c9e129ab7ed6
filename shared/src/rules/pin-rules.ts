import { PIN_MAX_LENGTH, PIN_MIN_LENGTH } from '../constants/limits';
import { isCommonPin } from './common-pins';

export type PinProblem = 'validation.pin.format' | 'validation.pin.trivial' | 'validation.pin.common' | 'validation.pin.roomNumber';

const DIGITS_ONLY = /^\d+$/;

function isRepeatedBlock(pin: string): boolean {
  for (let period = 1; period <= pin.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < pin.length && repeats; i++) repeats = pin[i] === pin[i - period];
    if (repeats) return true;
  }
  return false;
}

function isConsecutiveRun(pin: string): boolean {
  const step = Number(pin[1]) - Number(pin[0]);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < pin.length; i++) {
    if (Number(pin[i]) - Number(pin[i - 1]) !== step) return false;
  }
  return true;
}

/**
 * Guessable PINs are what attackers try first: one repeated digit or block (000000, 121212,
 * 123123), a run up or down the keypad (123456, 987654), or anything taken from the room number
 * the caller has just typed; and the PINs people choose most often (see common-pins.ts).
 */
export function pinProblem(pin: string, roomNumber?: string): PinProblem | null {
  if (!DIGITS_ONLY.test(pin) || pin.length < PIN_MIN_LENGTH || pin.length > PIN_MAX_LENGTH) {
    return 'validation.pin.format';
  }
  if (isRepeatedBlock(pin) || isConsecutiveRun(pin)) return 'validation.pin.trivial';
  if (isCommonPin(pin)) return 'validation.pin.common';
  if (roomNumber && roomNumber.includes(pin)) return 'validation.pin.roomNumber';
  return null;
}
