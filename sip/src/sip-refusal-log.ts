/**
 * One stable line per refused, rate-limited or dropped SIP request, for fail2ban and log search:
 *
 *   SIP refused <reason> from <ip>:<port> method=<METHOD> user-agent="<sanitised>"
 *
 * (an IPv6 address in brackets: `from [2001:db8::7]:5060`). *
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
  /** Refusals of this source not logged since its last line (see RefusalLogBudget). */
  suppressed?: number;
}

/** fail2ban `failregex` matching every refusal line (fail2ban fills in `<HOST>`, IPv4 or IPv6). */
export const FAIL2BAN_FAILREGEX = String.raw`SIP refused \S+ from \[?<HOST>\]?:\d+ method=`;

const MAX_FIELD = 100;

export function formatSipRefusal(refusal: SipRefusal): string {
  const method = sanitise(refusal.method ?? '-').replace(/\s/g, '_') || '-';
  const suppressed = refusal.suppressed ? ` suppressed=${refusal.suppressed}` : '';
  const address = refusal.address.includes(':') ? `[${refusal.address}]` : refusal.address;
  return `SIP refused ${refusal.reason} from ${address}:${refusal.port} method=${method} user-agent="${sanitise(refusal.userAgent ?? '')}"${suppressed}`;
}

/**
 * How many refusal lines one source may cause: enough for any fail2ban `maxretry`, but a flood
 * of thousands of packets a second must not turn into as many log lines. Beyond the budget the
 * refusals are counted, and the source's next logged line says how many were left out.
 */
export class RefusalLogBudget {
  readonly #linesPerWindow: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #sources = new Map<string, { windowStart: number; lines: number; suppressed: number }>();

  constructor(linesPerWindow = 10, windowMs = 10_000, now: () => number = Date.now) {
    this.#linesPerWindow = linesPerWindow;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Whether to log this refusal of `source`; with the number left out before it when so. */
  take(source: string): { log: false } | { log: true; suppressed: number } {
    const now = this.#now();
    let entry = this.#sources.get(source);
    if (!entry || now - entry.windowStart >= this.#windowMs) {
      entry = { windowStart: now, lines: 0, suppressed: entry?.suppressed ?? 0 };
      this.#sources.delete(source);
      this.#sources.set(source, entry);
      // Oldest first: a flood of fresh sources cannot grow the map without bound.
      if (this.#sources.size > MAX_SOURCES) this.#sources.delete(this.#sources.keys().next().value!);
    }
    if (entry.lines >= this.#linesPerWindow) {
      entry.suppressed++;
      return { log: false };
    }
    entry.lines++;
    const suppressed = entry.suppressed;
    entry.suppressed = 0;
    return { log: true, suppressed };
  }
}

const MAX_SOURCES = 10_000;

/** A value a caller wrote, made safe for one log line: printable ASCII without quotes or backslashes, cut short. */
export function sanitise(value: string): string {
  return value.slice(0, MAX_FIELD).replace(/[^\x20-\x7e]|["\\]/g, '?');
}
