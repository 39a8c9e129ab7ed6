import { createHash, randomBytes } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** 256 random bits for the link; only the hash is stored, like a password. */
export function newEmailVerification(ttlMs: number, now = new Date()) {
  const token = randomBytes(32).toString('hex');
  return {
    token,
    verification: { tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs), sentAt: now },
  };
}
