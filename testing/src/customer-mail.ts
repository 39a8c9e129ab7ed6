/**
 * What the product's mails to a customer carry, read from their text part (German or English):
 * the welcome mail's room number and access PIN, the verification link's token.
 */

/** The room number without its grouping space, e.g. '46792069'. */
export function roomNumberFrom(mailText: string): string {
  return /(?:Konferenzraum-Nr\.|Conference room no\.): (\d{4} \d{4})/.exec(mailText)![1]!.replace(' ', '');
}

export function accessPinFrom(mailText: string): string {
  return /(?:Zugangs-PIN|Access PIN): (\d+)/.exec(mailText)![1]!;
}

export function verifyTokenFrom(mailText: string): string {
  return /verify-email\?token=([0-9a-f]{64})/.exec(mailText)![1]!;
}
