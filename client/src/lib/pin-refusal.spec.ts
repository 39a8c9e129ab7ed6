import { describe, expect, it } from 'vitest';
import { pinRefusalText } from './pin-refusal';

const now = new Date('2026-12-05T21:32:00Z');
const wrong = (attemptsLeft?: number) => ({ code: 'INVALID_ROOM_OR_PIN' as const, attemptsLeft });
const locked = (retryAt?: string) => ({ code: 'TOO_MANY_REQUESTS' as const, retryAt });

describe('pinRefusalText', () => {
  it('tells a wrong PIN with the tries left: several, one, none', () => {
    expect(pinRefusalText('de', wrong(2), now)).toBe('Konferenzraum-Nr. oder PIN ist falsch. Noch 2 Versuche.');
    expect(pinRefusalText('de', wrong(1), now)).toBe('Konferenzraum-Nr. oder PIN ist falsch. Noch ein Versuch.');
    expect(pinRefusalText('de', wrong(0), now)).toBe('Konferenzraum-Nr. oder PIN ist falsch. Keine Versuche mehr.');
    expect(pinRefusalText('en', wrong(2), now)).toBe('Conference room number or PIN is wrong. 2 tries left.');
    expect(pinRefusalText('en', wrong(1), now)).toBe('Conference room number or PIN is wrong. One try left.');
  });

  it('tells a lockout with the time it ends, in the language asked for; its date too when more than a day away', () => {
    expect(pinRefusalText('de', locked('2026-12-05T21:47:00Z'), now, 'UTC')).toBe('Zu viele Versuche. Wieder möglich ab 21:47 Uhr.');
    expect(pinRefusalText('en', locked('2026-12-05T21:47:00Z'), now, 'UTC')).toBe('Too many attempts. Try again after 9:47 PM.');
    expect(pinRefusalText('de', locked('2026-12-05T21:47:00Z'), now, 'Europe/Berlin')).toBe('Zu viele Versuche. Wieder möglich ab 22:47 Uhr.');
    expect(pinRefusalText('de', locked('2026-12-07T08:05:00Z'), now, 'UTC')).toBe('Zu viele Versuche. Wieder möglich ab 7. Dezember um 8:05 Uhr.');
    expect(pinRefusalText('en', locked('2026-12-07T08:05:00Z'), now, 'UTC')).toBe('Too many attempts. Try again after December 7 at 8:05 AM.');
  });

  it('says only what the catalogue says when the server told no details', () => {
    expect(pinRefusalText('de', wrong(), now)).toBe('Konferenzraum-Nr. oder PIN ist falsch.');
    expect(pinRefusalText('de', locked(), now)).toBe('Zu viele Versuche. Bitte später erneut versuchen.');
  });
});
