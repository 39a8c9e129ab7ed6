import { z } from 'zod';

/**
 * How the waiting room opens. `all-on-moderator` is the seed's behaviour: everyone waiting enters
 * together when the moderator arrives. `manual`: the moderator admits people one by one or all
 * at once by button.
 */
export const ADMISSION_POLICIES = ['all-on-moderator', 'manual'] as const;
export type AdmissionPolicy = (typeof ADMISSION_POLICIES)[number];

/** What happens when the last moderator leaves. */
export const MODERATOR_LEAVES_POLICIES = ['continue', 'end', 'back-to-waiting'] as const;
export type ModeratorLeavesPolicy = (typeof MODERATOR_LEAVES_POLICIES)[number];

export const roomSettingsSchema = z.object({
  admission: z.enum(ADMISSION_POLICIES, { error: 'validation.invalid' }),
  moderatorLeaves: z.enum(MODERATOR_LEAVES_POLICIES, { error: 'validation.invalid' }),
  /**
   * Phone callers hear a short tone when someone enters or leaves the conference. Absent (a
   * client or a stored room from before it existed): on.
   */
  entryExitTones: z.boolean({ error: 'validation.invalid' }).default(true),
});
export type RoomSettings = z.infer<typeof roomSettingsSchema>;
/** What a client may send: settings added later may be left out (their defaults apply). */
export type RoomSettingsInput = z.input<typeof roomSettingsSchema>;

export const DEFAULT_ROOM_SETTINGS: RoomSettings = { admission: 'all-on-moderator', moderatorLeaves: 'continue', entryExitTones: true };
