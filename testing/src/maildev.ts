/** Reading the mail the product sent, from MailDev's REST API (the embedded mail catcher). */

/** One mail as MailDev 3 lists it (GET <inbox>/api/email). */
export interface CaughtMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  time: string;
  to: Array<{ address: string }>;
}

/** Every mail in the inbox at `inboxUrl` (its web address, which also serves the API). */
export async function listMail(inboxUrl: string): Promise<CaughtMail[]> {
  const response = await fetch(`${inboxUrl}/api/email`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${inboxUrl}/api/email answered ${response.status}`);
  return (await response.json()) as CaughtMail[];
}

/** The mails to `address` (compared without case), as listed. */
export async function mailTo(inboxUrl: string, address: string): Promise<CaughtMail[]> {
  const wanted = address.toLowerCase();
  return (await listMail(inboxUrl)).filter((mail) => mail.to.some((to) => to.address.toLowerCase() === wanted));
}

/** Polls the inbox until `count` mails to the address have arrived; returns them oldest first. */
export async function waitForMail(inboxUrl: string, address: string, { count = 1, timeoutMs = 10_000 } = {}): Promise<CaughtMail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = await mailTo(inboxUrl, address);
    if (mails.length >= count) return mails.sort((a, b) => a.time.localeCompare(b.time));
    if (Date.now() > deadline) throw new Error(`Expected ${count} mail(s) to ${address}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
