import { describe, expect, it } from 'vitest';
import { accessPinFrom, roomNumberFrom, verifyTokenFrom } from './customer-mail';

const token = 'ab'.repeat(32);

describe('customer mail texts', () => {
  it('give the room number without its space, the access PIN and the verification token, in German', () => {
    const text = `Ihre Konferenzraum-Nr.: 4679 2069\nIhre Zugangs-PIN: 583920\nhttps://k.example/verify-email?token=${token}\n`;
    expect(roomNumberFrom(text)).toBe('46792069');
    expect(accessPinFrom(text)).toBe('583920');
    expect(verifyTokenFrom(text)).toBe(token);
  });

  it('and in English', () => {
    const text = 'Conference room no.: 4679 2069\nAccess PIN: 740215\n';
    expect(roomNumberFrom(text)).toBe('46792069');
    expect(accessPinFrom(text)).toBe('740215');
  });
});
