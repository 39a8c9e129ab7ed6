import { describe, expect, it } from 'vitest';
import { invitationDialIn } from './dial-in';
import { translate } from './translate';

describe('invitation dial-in lines', () => {
  const invitation = (dialIn: string) =>
    translate('de', 'invitation.text', { roomNumber: '4679 2069', participantPin: '740215', joinUrl: 'https://k.example/join', dialIn });

  it('list the numbers, the SIP URI and how to confirm, before the browser link', () => {
    const text = invitation(invitationDialIn('de', { numbers: ['+49 30 1234567', '+41 44 1234567'], sipUri: 'sip:46792069@sip.example:5060' }));
    expect(text).toContain(
      'Teilnehmer-PIN: 740215\n\nPer Telefon teilnehmen: +49 30 1234567, +41 44 1234567\nPer SIP teilnehmen: sip:46792069@sip.example:5060\nKonferenzraum-Nr. und PIN mit # bestätigen.\n\nIm Browser teilnehmen: https://k.example/join',
    );
    expect(invitationDialIn('en', { numbers: ['+49 30 1234567'], sipUri: null })).toBe(
      'Join by phone: +49 30 1234567\nConfirm the conference room number and the PIN with #.\n\n',
    );
  });

  it('are left out when nothing is configured', () => {
    expect(invitationDialIn('de', { numbers: [], sipUri: null })).toBe('');
    expect(invitation('')).toContain('Teilnehmer-PIN: 740215\n\nIm Browser teilnehmen:');
    expect(invitation('')).not.toContain('{dialIn}');
  });
});
