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

/**
 * Whether guests enter the conference muted: `off` (as they chose), `all`, or `after` — the first
 * `guests` guests inside enter as they chose, every guest beyond them muted. Moderators never are.
 */
export const MUTE_ON_ENTRY_MODES = ['off', 'all', 'after'] as const;
export type MuteOnEntryMode = (typeof MUTE_ON_ENTRY_MODES)[number];
export const MUTE_ON_ENTRY_GUESTS_MIN = 1;
export const MUTE_ON_ENTRY_GUESTS_MAX = 99;

const muteOnEntryGuests = z
  .number({ error: 'validation.muteOnEntry.guests' })
  .int({ error: 'validation.muteOnEntry.guests' })
  .min(MUTE_ON_ENTRY_GUESTS_MIN, { error: 'validation.muteOnEntry.guests' })
  .max(MUTE_ON_ENTRY_GUESTS_MAX, { error: 'validation.muteOnEntry.guests' });

export const muteOnEntrySchema = z.discriminatedUnion(
  'mode',
  [z.object({ mode: z.literal('off') }), z.object({ mode: z.literal('all') }), z.object({ mode: z.literal('after'), guests: muteOnEntryGuests })],
  { error: 'validation.invalid' },
);
export type MuteOnEntry = z.infer<typeof muteOnEntrySchema>;

export const roomSettingsSchema = z.object({
  admission: z.enum(ADMISSION_POLICIES, { error: 'validation.invalid' }),
  moderatorLeaves: z.enum(MODERATOR_LEAVES_POLICIES, { error: 'validation.invalid' }),
  // Optional in a request, so clients written before it existed keep working: they mean 'off'.
  muteOnEntry: muteOnEntrySchema.default({ mode: 'off' }),
  /**
   * Phone callers hear a short tone when someone enters or leaves the conference. Absent (a
   * client or a stored room from before it existed): on.
   */
  entryExitTones: z.boolean({ error: 'validation.invalid' }).default(true),
});
export type RoomSettings = z.infer<typeof roomSettingsSchema>;
/** What a client may send: settings added later may be left out and take their default. */
export type RoomSettingsInput = z.input<typeof roomSettingsSchema>;

export const DEFAULT_ROOM_SETTINGS: RoomSettings = {
  admission: 'all-on-moderator',
  moderatorLeaves: 'continue',
  muteOnEntry: { mode: 'off' },
  entryExitTones: true,
};

/** Stored settings as they apply: a room saved before a setting existed gets that setting's default. */
export function withDefaultRoomSettings(stored: Partial<RoomSettings> | undefined): RoomSettings {
  return { ...DEFAULT_ROOM_SETTINGS, ...stored };
}
