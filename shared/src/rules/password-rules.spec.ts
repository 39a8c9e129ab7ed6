import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-rules';

describe('passwordProblem (NIST 800-63B)', () => {
  it('needs 10 characters, counting characters rather than UTF-16 units', () => {
    expect(passwordProblem('kurz-kurz')).toBe('validation.password.tooShort');
    expect(passwordProblem('😀😀😀😀😀')).toBe('validation.password.tooShort');
    expect(passwordProblem('Leuchtturm-Wolke')).toBeNull();
  });

  it('has no composition rules: a long lower-case passphrase is fine', () => {
    expect(passwordProblem('korrekt pferd batterie heftklammer')).toBeNull();
  });

  it('blocks common passwords whatever their case, and one- or two-character repetitions', () => {
    expect(passwordProblem('Passwort123')).toBe('validation.password.common');
    expect(passwordProblem('QWERTZUIOP')).toBe('validation.password.common');
    expect(passwordProblem('abababababab')).toBe('validation.password.common');
  });

  it('blocks passwords containing the username or the email name', () => {
    expect(passwordProblem('erika-mustermann-1', { username: 'Erika' })).toBe('validation.password.containsIdentity');
    expect(passwordProblem('hallo-e.muster-2026', { email: 'e.muster@example.org' })).toBe('validation.password.containsIdentity');
  });

  it('caps the length so hashing cannot be abused', () => {
    expect(passwordProblem('x'.repeat(129) + 'abc')).toBe('validation.password.tooLong');
  });
});
