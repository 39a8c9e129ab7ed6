import { z } from 'zod';

/**
 * Participant attributes: a small key/value map each participant sets on themselves and everyone
 * in the room sees on them (ParticipantView.attributes). Features such as "raise hand" are built
 * on it in the client alone, so the limits are tight: they travel in every conference state.
 */
export const PARTICIPANT_ATTRIBUTE_MAX_KEYS = 8;
export const PARTICIPANT_ATTRIBUTE_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
export const PARTICIPANT_ATTRIBUTE_VALUE_MAX_LENGTH = 64;

export type ParticipantAttributes = Readonly<Record<string, string>>;

/** Values are shown in other people's lists and tiles: one line of text, never control characters. */
const attributeValue = z
  .string()
  .max(PARTICIPANT_ATTRIBUTE_VALUE_MAX_LENGTH, 'validation.tooLong')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'validation.controlCharacters');

/**
 * A change to one's own attributes: a string sets the key, null removes it, keys not named stay
 * as they are (so independent features never overwrite each other). The server also refuses a
 * change that would leave more than PARTICIPANT_ATTRIBUTE_MAX_KEYS keys.
 */
export const participantAttributesPatchSchema = z
  .record(z.string().regex(PARTICIPANT_ATTRIBUTE_KEY_PATTERN), attributeValue.nullable(), {
    error: (issue) => (issue.code === 'invalid_key' ? 'validation.attributes.key' : undefined),
  })
  .refine((patch) => Object.keys(patch).length <= PARTICIPANT_ATTRIBUTE_MAX_KEYS, 'validation.attributes.tooMany');
export type ParticipantAttributesPatch = z.infer<typeof participantAttributesPatchSchema>;
