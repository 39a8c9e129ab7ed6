import { describe, expect, it } from 'vitest';
import { passwordChangedMail } from './password-changed-mail';
import { passwordResetMail } from './password-reset-mail';

const input = { language: 'de' as const, firstName: 'Erika', lastName: '<Muster>', username: 'erika', validMinutes: 30 };
const resetUrl = 'http://localhost:3000/reset-password?token=abc&x=1';

describe('passwordResetMail', () => {
  it('carries the link and its validity in both parts, escaped in the HTML', () => {
    const mail = passwordResetMail({ ...input, resetUrl });
    expect(mail.subject).toBe('Konferenz – Passwort zurücksetzen');
    expect(mail.text).toContain(`30 Minuten gültig`);
    expect(mail.text).toContain(resetUrl);
    expect(mail.html).toContain('token=abc&amp;x=1');
    expect(mail.html).toContain('Hallo Erika &lt;Muster&gt;');
    expect(mail.html).not.toContain('<Muster>');
  });

  it('is English when the account is', () => {
    expect(passwordResetMail({ ...input, language: 'en', resetUrl }).text).toContain('valid for 30 minutes, usable once');
  });
});

describe('passwordChangedMail', () => {
  it('names the account and where to reset a password one did not change', () => {
    const mail = passwordChangedMail({ ...input, language: 'en', forgotUrl: 'http://localhost:3000/forgot-password' });
    expect(mail.subject).toBe('Konferenz – your password was changed');
    expect(mail.text).toContain('account erika');
    expect(mail.text).toContain('http://localhost:3000/forgot-password');
  });
});
