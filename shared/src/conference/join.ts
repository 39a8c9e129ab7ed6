import { z } from 'zod';
import { PIN_MAX_LENGTH } from '../constants/limits';
import { ROOM_NUMBER_PATTERN } from '../rules/room-number';
import { displayNameField } from '../schemas/fields';
import type { ConferenceRole } from './roles';

/** Spaces are allowed in the room number because people copy it as printed ("4679 2069"). */
const roomNumberField = z
  .string({ error: 'validation.required' })
  .transform((value) => value.replace(/\s+/g, ''))
  .pipe(z.string().regex(ROOM_NUMBER_PATTERN, 'validation.roomNumber'));

/** Up to the longest PIN's digits; whether they are the room's PIN is the server's check. */
const JOIN_PIN_PATTERN = new RegExp(`^\\d{1,${PIN_MAX_LENGTH}}$`);

/** A guest or the host joining with room number and PIN (browser; the phone gateway uses the same check). */
export const joinRequestSchema = z.object({
  roomNumber: roomNumberField,
  pin: z.string({ error: 'validation.required' }).regex(JOIN_PIN_PATTERN, 'validation.pin.format'),
  displayName: displayNameField,
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

/** A logged-in customer opening their own room as moderator, no PIN needed. */
export const hostRequestSchema = z.object({ displayName: displayNameField });
export type HostRequest = z.infer<typeof hostRequestSchema>;

/**
 * The answer to a successful join: a short-lived token that the socket connection presents, and
 * that a reload or reconnect within its lifetime presents again instead of the PIN.
 */
export interface JoinResponse {
  token: string;
  roomNumber: string;
  participantId: string;
  role: ConferenceRole;
  displayName: string;
  expiresAt: string;
}
