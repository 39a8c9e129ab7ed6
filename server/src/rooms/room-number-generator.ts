import { randomInt } from 'node:crypto';
import { ROOM_NUMBER_LENGTH } from '@konferenz/shared';

const LOWEST = 10 ** (ROOM_NUMBER_LENGTH - 1);
const HIGHEST_EXCLUSIVE = 10 ** ROOM_NUMBER_LENGTH;

/**
 * Uniform over all numbers without a leading zero (90 million), from the CSPRNG: sequential or
 * guessable numbers would let anyone walk through other customers' rooms.
 */
export function generateRoomNumber(random: (min: number, max: number) => number = randomInt): string {
  return String(random(LOWEST, HIGHEST_EXCLUSIVE));
}
