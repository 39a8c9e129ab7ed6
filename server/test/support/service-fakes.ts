import type { AppConfig } from '../../src/config/app-config';
import type { MailService } from '../../src/mail/mail.service';
import type { RenderedMail } from '../../src/mail/templates/layout';
import type { AttemptLimiter } from '../../src/security/attempt-limiter.service';
import type { SecretHasher } from '../../src/security/secret-hasher';

/** What the account and room services read of the configuration, for unit tests. */
export const unitConfig = {
  publicUrl: 'https://konferenz.example',
  secrets: { session: 'unit-test-session-secret-0123456789abcdef', pinEncryptionKey: Buffer.alloc(32, 7) },
  emailVerificationTtlMs: 48 * 3_600_000,
  limits: { registrationsPerIpPerHour: 10, loginFailuresPerIp: 20, loginFailuresPerAccount: 5, loginLockoutMs: 900_000 },
  pinLimits: { failuresPerSource: 5, lockoutMs: 900_000, roomBackoffAfter: 10 },
  sip: { port: 0, publicHost: '127.0.0.1', dialInNumbers: [] },
} as unknown as AppConfig;

/** A hasher without argon2's cost: unit tests check what is hashed, not how. */
export const plainHasher = {
  hash: async (secret: string) => `hashed:${secret}`,
  verify: async (hash: string | null | undefined, secret: string) => hash === `hashed:${secret}`,
} as SecretHasher;

/** A limiter with unlimited budgets. */
export const openLimiter = {
  consume: async () => true,
  reserve: async () => true,
  takeTurn: async () => true,
  refund: async () => undefined,
  fail: async () => undefined,
  clear: async () => undefined,
  failWhileLocked: async () => 1,
} as unknown as AttemptLimiter;

/** Keeps what would have been mailed. */
export function mailbox() {
  const sent: Array<{ to: string; mail: RenderedMail }> = [];
  const mail = {
    send: async (to: string, rendered: RenderedMail) => void sent.push({ to, mail: rendered }),
    sendInBackground: (to: string, rendered: RenderedMail) => void sent.push({ to, mail: rendered }),
  } as unknown as MailService;
  return { mail, sent };
}
