import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../constants/limits';
import { COMMON_PASSWORDS } from './common-passwords';

export type PasswordProblem =
  'validation.password.tooShort' | 'validation.password.tooLong' | 'validation.password.common' | 'validation.password.containsIdentity';

/**
 * NIST SP 800-63B: a minimum length and a blocklist of known-bad passwords, no composition rules.
 * Comparison is case-insensitive so "Passwort123" is caught like "passwort123".
 */
export function passwordProblem(password: string, identity: { username?: string; email?: string } = {}): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'validation.password.tooShort';
  if (length > PASSWORD_MAX_LENGTH) return 'validation.password.tooLong';
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered) || new Set(lowered).size <= 2) return 'validation.password.common';
  const names = [identity.username, identity.email?.split('@')[0]].filter((name): name is string => !!name && name.length >= 3);
  if (names.some((name) => lowered.includes(name.toLowerCase()))) {
    return 'validation.password.containsIdentity';
  }
  return null;
}
