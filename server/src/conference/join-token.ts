import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CONFERENCE_ROLES } from '@konferenz/shared';

const claimsSchema = z.object({
  room: z.string(),
  pid: z.string(),
  role: z.enum(CONFERENCE_ROLES),
  name: z.string(),
  /** Milliseconds since the epoch. */
  iat: z.number(),
  exp: z.number(),
});
export type JoinClaims = z.infer<typeof claimsSchema>;

/**
 * The proof of a successful PIN check, carried by the browser to the socket connection and used
 * again after a reload or reconnect instead of the PIN. HMAC-signed JSON; its key is derived
 * from the session secret, so there is no second secret to configure.
 */
export class JoinTokens {
  readonly #key: Buffer;

  constructor(
    sessionSecret: string,
    readonly ttlMs: number,
  ) {
    this.#key = Buffer.from(hkdfSync('sha256', sessionSecret, 'konferenz', 'conference join token', 32));
  }

  /**
   * `issuedAt` (default now): a token renewed for the same participant keeps the first one's, so
   * removals and ends marked since still apply to it (ConferenceMarks compare with `iat`).
   */
  issue(claims: Omit<JoinClaims, 'iat' | 'exp'>, now = Date.now(), issuedAt = now): { token: string; claims: JoinClaims } {
    const full: JoinClaims = { ...claims, iat: issuedAt, exp: now + this.ttlMs };
    const body = Buffer.from(JSON.stringify(full)).toString('base64url');
    return { token: `${body}.${this.#sign(body)}`, claims: full };
  }

  /** The claims of a genuine, unexpired token; null for anything else, however malformed. */
  verify(token: unknown, now = Date.now()): JoinClaims | null {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = claimsSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      return claims.exp > now ? claims : null;
    } catch {
      return null;
    }
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#key).update(body).digest('base64url');
  }
}
