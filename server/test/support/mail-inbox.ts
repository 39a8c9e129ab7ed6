import { inject } from 'vitest';

export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: Array<{ address: string }>;
  time: string;
}

async function allMail(): Promise<CaughtMail[]> {
  const response = await fetch(`${inject('mailInboxUrl')}/api/email`);
  return (await response.json()) as CaughtMail[];
}

export async function mailTo(address: string): Promise<CaughtMail[]> {
  return (await allMail()).filter((mail) => mail.to.some((to) => to.address.toLowerCase() === address.toLowerCase()));
}

/** Polls MailDev's API until `count` mails to the address have arrived. */
export async function waitForMail(address: string, count = 1, timeoutMs = 10_000): Promise<CaughtMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailTo(address);
    if (mails.length >= count) return mails.sort((a, b) => a.time.localeCompare(b.time));
    if (Date.now() > deadline) throw new Error(`Expected ${count} mail(s) to ${address}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
