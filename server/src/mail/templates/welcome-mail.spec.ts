import { describe, expect, it } from 'vitest';
import { welcomeMail } from './welcome-mail';

const input = {
  language: 'de' as const,
  firstName: 'Erika',
  lastName: 'Mustermann',
  roomNumber: '46792069',
  accessPin: '036297',
  loginUrl: 'http://localhost:3000/login',
  joinUrl: 'http://localhost:3000/join?room=46792069',
  verifyUrl: 'http://localhost:3000/verify-email?token=abc',
  verifyHours: 48,
};

describe('welcomeMail', () => {
  it('carries the room number, access PIN and links in both the text and the HTML part', () => {
    const mail = welcomeMail(input);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('4679 2069');
      expect(part).toContain('036297');
      expect(part).toContain(input.joinUrl.replace('&', '&amp;'));
      expect(part).toContain(input.verifyUrl);
    }
    expect(mail.subject).toBe('Willkommen bei Konferenz – Ihr persönlicher Konferenzraum 4679 2069');
  });

  it('is English when asked', () => {
    expect(welcomeMail({ ...input, language: 'en' }).text).toContain('Access PIN: 036297');
  });
});
