import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): slow enough to make
 * offline guessing of a leaked hash expensive, fast enough (~30 ms) for logins and PIN checks.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class SecretHasher {
  /** Verifying against this keeps "no such account" as slow as "wrong password". */
  readonly #decoy = argon2.hash('decoy secret that matches nothing', OPTIONS);

  hash(secret: string): Promise<string> {
    return argon2.hash(secret, OPTIONS);
  }

  async verify(hash: string | null | undefined, secret: string): Promise<boolean> {
    if (!hash) {
      await argon2.verify(await this.#decoy, secret);
      return false;
    }
    return argon2.verify(hash, secret);
  }
}
