import { randomInt } from 'node:crypto';
import { PIN_MIN_LENGTH, pinProblem } from '@konferenz/shared';

/** The access PIN mailed at registration has the fewest digits a PIN may have. */
const ACCESS_PIN_LENGTH = PIN_MIN_LENGTH;

/** A random PIN that obeys the same rules a customer's own PIN must. */
export function generateAccessPin(roomNumber: string): string {
  for (;;) {
    const pin = String(randomInt(0, 10 ** ACCESS_PIN_LENGTH)).padStart(ACCESS_PIN_LENGTH, '0');
    if (!pinProblem(pin, roomNumber)) return pin;
  }
}
