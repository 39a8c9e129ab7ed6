import { PARTICIPANT_ATTRIBUTE_MAX_KEYS, type ParticipantAttributes, type ParticipantAttributesPatch } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';

/**
 * A participant's attributes after their change: named keys set or (null) removed, the others
 * kept. The patch itself was validated by the shared schema; only the total can be checked here.
 */
export function patchAttributes(current: ParticipantAttributes, patch: ParticipantAttributesPatch): ParticipantAttributes {
  const next: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > PARTICIPANT_ATTRIBUTE_MAX_KEYS) {
    throw new ApiException('VALIDATION_FAILED', [{ field: 'attributes', code: 'validation.attributes.tooMany' }]);
  }
  return next;
}
