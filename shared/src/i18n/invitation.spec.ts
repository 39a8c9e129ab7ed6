import { describe, expect, it } from 'vitest';
import { invitationDialIn, invitationText } from './invitation';

describe('the invitation text', () => {
  const details = { roomNumber: '46792069', participantPin: '740215', joinUrl: 'https://k.example/join?room=46792069' };

  it('lists the room number, the participant PIN, the numbers, the SIP URI and how to confirm, before the browser link', () => {
    const text = invitationText('de', { ...details, dialIn: { numbers: ['+49 30 1234567', '+41 44 1234567'], sipUri: 'sip:46792069@sip.example:5060' } });
    expect(text).toContain(
      'Konferenzraum-Nr.: 4679 2069\nTeilnehmer-PIN: 740215\n\nPer Telefon teilnehmen: +49 30 1234567, +41 44 1234567\nPer SIP teilnehmen: sip:46792069@sip.example:5060\nKonferenzraum-Nr. und PIN mit # bestätigen.\n\nIm Browser teilnehmen: https://k.example/join?room=46792069',
    );
    expect(invitationDialIn('en', { numbers: ['+49 30 1234567'], sipUri: null })).toBe(
      'Join by phone: +49 30 1234567\nConfirm the conference room number and the PIN with #.\n\n',
    );
  });

  it('leaves out the dial-in lines when nothing is configured, and an unknown PIN as empty', () => {
    expect(invitationDialIn('de', { numbers: [], sipUri: null })).toBe('');
    const text = invitationText('en', { ...details, participantPin: null, dialIn: { numbers: [], sipUri: null } });
    expect(text).toContain('Participant PIN: \n\nJoin in the browser:');
    expect(text).not.toContain('{');
  });
});
