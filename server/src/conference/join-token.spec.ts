import { describe, expect, it } from 'vitest';
import { JoinTokens } from './join-token';

const claims = { room: '46792069', pid: 'p1', role: 'participant' as const, name: 'Erika' };

describe('JoinTokens', () => {
  const tokens = new JoinTokens('a session secret of at least thirty-two characters', 60_000);

  it('round-trips until it expires', () => {
    const { token } = tokens.issue(claims, 1_000);
    expect(tokens.verify(token, 2_000)).toMatchObject({ ...claims, iat: 1_000, exp: 61_000 });
    expect(tokens.verify(token, 61_001)).toBeNull();
  });

  it('renews a token for the same participant keeping when the first was issued (marks compare with it)', () => {
    const { token } = tokens.issue(claims, 100_000, 1_000);
    expect(tokens.verify(token, 100_001)).toMatchObject({ iat: 1_000, exp: 160_000 });
  });

  it('refuses tampered, foreign and malformed tokens', () => {
    const { token } = tokens.issue(claims);
    const [body, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'moderator', iat: 0, exp: Date.now() + 60_000 })).toString('base64url');
    expect(tokens.verify(`${forged}.${signature}`)).toBeNull();
    expect(new JoinTokens('another secret of at least thirty-two characters!', 60_000).verify(token)).toBeNull();
    for (const junk of [undefined, 42, {}, '', '.', `${body}`, `${body}.${signature}.x`, 'x'.repeat(5000)]) {
      expect(tokens.verify(junk)).toBeNull();
    }
  });
});
