import { mailTo as mailToInbox, waitForMail as waitForMailInInbox, type CaughtMail } from '@konferenz/testing/maildev';
import { inject } from 'vitest';

export type { CaughtMail };

/** The mail catcher every integration test shares (test/support/global-setup.ts starts it). */
const inbox = () => inject('mailInboxUrl');

export function mailTo(address: string): Promise<CaughtMail[]> {
  return mailToInbox(inbox(), address);
}

/** Polls MailDev's API until `count` mails to the address have arrived. */
export function waitForMail(address: string, count = 1, timeoutMs = 10_000): Promise<CaughtMail[]> {
  return waitForMailInInbox(inbox(), address, { count, timeoutMs });
}
