import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ParticipantPinCipher } from './participant-pin-cipher';

describe('ParticipantPinCipher', () => {
  const cipher = new ParticipantPinCipher(randomBytes(32));

  it('round-trips and never stores the same ciphertext twice', () => {
    const first = cipher.encrypt('740215');
    expect(first).not.toContain('740215');
    expect(cipher.decrypt(first)).toBe('740215');
    expect(cipher.encrypt('740215')).not.toBe(first);
  });

  it('refuses a tampered value or another key', () => {
    const stored = cipher.encrypt('740215');
    const [version, iv, tag, data] = stored.split(':');
    const flipped = Buffer.from(data!, 'base64');
    flipped[0]! ^= 1;
    expect(() => cipher.decrypt([version, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
    expect(() => new ParticipantPinCipher(randomBytes(32)).decrypt(stored)).toThrow();
  });

  it('wants a 256-bit key', () => {
    expect(() => new ParticipantPinCipher(randomBytes(16))).toThrow();
  });
});
