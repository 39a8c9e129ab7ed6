/**
 * How a phone caller appears in the participant list: the number from the call's From, masked to
 * the country or area prefix and the last three digits (`+49 … 123`), so the moderator can tell
 * callers apart without the list handing out numbers. Anything that is not a plausible number
 * (anonymous, a name, a short extension) shows as 'Telefon'. The From header is unverified:
 * this is a label, not an identity.
 */
export function maskedCallerName(user: string | undefined): string {
  const number = user?.replace(/[\s()./-]/g, '') ?? '';
  if (!/^\+?\d{7,20}$/.test(number)) return 'Telefon';
  const prefix = number.startsWith('+') ? number.slice(0, 3) : number.slice(0, 3);
  return `${prefix} … ${number.slice(-3)}`;
}

/** The caller id the PIN limiter counts failures under: the number from From, or 'anonymous'. */
export function callerId(user: string | undefined): string {
  const number = user?.replace(/[\s()./-]/g, '') ?? '';
  return /^\+?\d{1,20}$/.test(number) ? number : 'anonymous';
}

/**
 * The caller's number from a P-Asserted-Identity value (RFC 3325: `"Name" <sip:+4930…@host>`,
 * `<tel:+4930…>`, several comma-separated): the first sip/sips user part or tel number. Only
 * worth reading from a trusted trunk; anyone else can write whatever they like there.
 */
export function assertedCallerUser(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const entry of value.split(',')) {
    const uri = /<([^>]*)>/.exec(entry)?.[1] ?? entry.trim();
    const tel = /^tel:([^;?]+)/i.exec(uri)?.[1];
    if (tel) return tel;
    const sip = /^sips?:([^@;?]+)@/i.exec(uri)?.[1];
    if (sip) return sip;
  }
  return undefined;
}
