import { describe, expect, it } from 'vitest';
import { invitationContent } from './invitation';

const joinUrl = 'https://konferenz.example/join?room=46792069';

describe('the invite dialog’s content', () => {
  it('gives a moderator the link and the whole invitation: room number, participant PIN, dial-in numbers, SIP URI', () => {
    const content = invitationContent('en', {
      roomNumber: '46792069',
      joinUrl,
      forModerators: { participantPin: '740215', dialIn: { numbers: ['+49 30 1234567'], sipUri: 'sip:46792069@sip.konferenz.example:5060' } },
    });
    expect(content.link).toBe(joinUrl);
    expect(content.text).toBe(
      'Invitation to a conference call\n\nConference room no.: 4679 2069\nParticipant PIN: 740215\n\n' +
        'Join by phone: +49 30 1234567\nJoin by SIP: sip:46792069@sip.konferenz.example:5060\nConfirm the conference room number and the PIN with #.\n\n' +
        `Join in the browser: ${joinUrl}\n\n` +
        'If the moderator has not arrived yet, you wait in the queue and enter the conference room together with the moderator.',
    );
  });

  it('gives a guest only the link, and no text with a PIN', () => {
    expect(invitationContent('de', { roomNumber: '46792069', joinUrl, forModerators: null })).toEqual({ link: joinUrl, text: null });
  });
});
