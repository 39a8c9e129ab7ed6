import { describe, expect, it } from 'vitest';
import { roomUnderAttackMail } from './room-under-attack-mail';

const input = {
  language: 'de' as const,
  firstName: 'Eve <IT>',
  lastName: 'Mustermann',
  roomNumber: '46792069',
  failures: 43,
  accountUrl: 'http://localhost:3000/account',
  quietHours: 6,
};

describe('roomUnderAttackMail', () => {
  it('says what happened, what it means and what to do, in German', () => {
    const mail = roomUnderAttackMail(input);
    expect(mail.subject).toContain('46792069');
    expect(mail.text).toContain('43 falsche PINs');
    expect(mail.text).toContain('Moderator-PIN funktioniert weiterhin');
    expect(mail.text).toContain('Teilnehmer-PIN und Ihre Moderator-PIN');
    expect(mail.text).toContain('http://localhost:3000/account');
    expect(mail.text).toContain('6 Stunden');
  });

  it('speaks English to an English-speaking owner', () => {
    const mail = roomUnderAttackMail({ ...input, language: 'en' });
    expect(mail.subject).toBe('Konferenz – many wrong PINs for your conference room 46792069');
    expect(mail.text).toContain('43 wrong PINs were entered');
    expect(mail.text).toContain('Your moderator PIN still works');
  });

  it("escapes the owner's name in the HTML part", () => {
    const { html } = roomUnderAttackMail(input);
    expect(html).toContain('Eve &lt;IT&gt;');
    expect(html).not.toContain('Eve <IT>');
  });
});
