/**
 * One stable line per refused, rate-limited or dropped SIP request, for fail2ban and log search:
 *
 *   SIP refused <reason> from <ip>:<port> method=<METHOD> user-agent="<sanitised>"
 *
 * Everything the caller controls (method, user agent) comes after the address and is stripped of
 * quotes, backslashes and control characters, so no request can forge a second line or move the
 * address a filter reads. The reason is one of SipRefusalReason.
 */
export type SipRefusalReason =
  | 'scanner'
  | 'malformed'
  | 'method-not-allowed'
  | 'rate-limited-caller'
  | 'rate-limited-source'
  | 'source-busy'
  | 'server-busy'
  | 'transaction-limit'
  | 'tcp-connection-limit';

export interface SipRefusal {
  reason: SipRefusalReason;
  address: string;
  port: number;
  method?: string;
  userAgent?: string;
}

/** fail2ban `failregex` matching every refusal line (fail2ban fills in `<HOST>`, IPv4 or IPv6). */
export const FAIL2BAN_FAILREGEX = String.raw`SIP refused \S+ from <HOST>:\d+ method=`;

const MAX_FIELD = 100;

export function formatSipRefusal(refusal: SipRefusal): string {
  const method = sanitise(refusal.method ?? '-').replace(/\s/g, '_') || '-';
  return `SIP refused ${refusal.reason} from ${refusal.address}:${refusal.port} method=${method} user-agent="${sanitise(refusal.userAgent ?? '')}"`;
}

function sanitise(value: string): string {
  return value.slice(0, MAX_FIELD).replace(/[^\x20-\x7e]|["\\]/g, '?');
}
