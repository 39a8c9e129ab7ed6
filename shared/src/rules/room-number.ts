import { ROOM_NUMBER_LENGTH } from '../constants/limits';

/** No leading zero: some phone systems and spreadsheets drop it, and a number must read the same everywhere. */
export const ROOM_NUMBER_PATTERN = new RegExp(`^[1-9]\\d{${ROOM_NUMBER_LENGTH - 1}}$`);

/** Groups digits for reading aloud or printing: 4711 0815 rather than 47110815. */
export function formatRoomNumber(roomNumber: string): string {
  return roomNumber.replace(/(\d{4})(?=\d)/g, '$1 ');
}
