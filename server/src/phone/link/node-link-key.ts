import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Proof that a phone link comes from a node of this cluster: an HMAC of the join token it carries,
 * under a key derived from SESSION_SECRET (which every node shares already). A browser holds join
 * tokens too but not the secret, so it cannot open the node-only phone link with one.
 */
export class NodeLinkKey {
  readonly #key: Buffer;

  constructor(sessionSecret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', sessionSecret, 'konferenz', 'phone link between nodes', 32));
  }

  prove(token: string): string {
    return createHmac('sha256', this.#key).update(token).digest('base64url');
  }

  verifies(token: unknown, proof: unknown): boolean {
    if (typeof token !== 'string' || typeof proof !== 'string') return false;
    const expected = Buffer.from(this.prove(token));
    const given = Buffer.from(proof);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
