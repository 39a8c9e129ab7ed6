import { describe, expect, it } from 'vitest';
import { welcomeMail } from './welcome-mail';
import { escapeHtml } from './layout';

const input = {
  language: 'de' as const,
  firstName: 'Erika',
  lastName: 'Mustermann',
  roomNumber: '46792069',
  accessPin: '036297',
  loginUrl: 'http://localhost:3000/login',
  joinUrl: 'http://localhost:3000/join?room=46792069',
  dialIn: { numbers: [], sipUri: null },
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

  it('leaves the dial-in out when none is configured', () => {
    const mail = welcomeMail(input);
    expect(mail.text).not.toContain('Einwahl');
    expect(mail.html).not.toContain('dial-in');
  });

  it('shows the dial-in numbers and the SIP URI in both parts, escaped in the HTML', () => {
    const mail = welcomeMail({
      ...input,
      dialIn: { numbers: ['+49 30 1234567', '+41 44 <1234567>'], sipUri: 'sip:46792069@sip.example.org:5060' },
    });
    expect(mail.text).toContain(
      'Teilnehmer wählen sich per Telefon ein: Konferenzraum-Nr. und PIN mit # bestätigen.\n' +
        'Einwahl per Telefon: +49 30 1234567, +41 44 <1234567>\n' +
        'Einwahl per SIP: sip:46792069@sip.example.org:5060',
    );
    expect(mail.html).toContain('<a href="tel:+49301234567" style="color:#0b5cad">+49 30 1234567</a>, ');
    expect(mail.html).toContain('<a href="tel:+41441234567" style="color:#0b5cad">+41 44 &lt;1234567&gt;</a>');
    expect(mail.html).not.toContain('<1234567>');
    expect(mail.html).toContain('<a href="sip:46792069@sip.example.org:5060" style="color:#0b5cad">sip:46792069@sip.example.org:5060</a>');
    expect(welcomeMail({ ...input, language: 'en', dialIn: { numbers: ['+49 30 1234567'], sipUri: null } }).text).toContain('Dial in by phone: +49 30 1234567');
  });

  it('makes the login and join addresses links, not only the verify button', () => {
    const { html } = welcomeMail(input);
    expect(html).toContain(`<a href="${input.loginUrl}" style="color:#0b5cad">${input.loginUrl}</a>`);
    expect(html).toContain(`<a href="${escapeHtml(input.joinUrl)}" style="color:#0b5cad">${escapeHtml(input.joinUrl)}</a>`);
  });

  it('is English when asked', () => {
    expect(welcomeMail({ ...input, language: 'en' }).text).toContain('Access PIN: 036297');
  });
});
