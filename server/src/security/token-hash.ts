import { createHash } from 'node:crypto';

/** What is stored of a mailed link's token (email verification, password reset): SHA-256, like a password's hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
