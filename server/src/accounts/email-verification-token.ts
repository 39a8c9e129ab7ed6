import { randomBytes } from 'node:crypto';
import { hashToken } from '../security/token-hash';

/** 256 random bits for the link; only the hash is stored, like a password. */
export function newEmailVerification(ttlMs: number, now = new Date()) {
  const token = randomBytes(32).toString('hex');
  return {
    token,
    verification: { tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs), sentAt: now },
  };
}
