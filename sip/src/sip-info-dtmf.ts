import { dtmfRelayFieldsSchema, dtmfSignalSchema, SIP_INFO_DTMF_MAX_BYTES, type DtmfDigit } from './dtmf';

export interface SipInfoDtmf {
  digit: DtmfDigit;
  durationMs?: number;
}

/**
 * DTMF in a SIP INFO body (the older way, when a phone sends no RFC 4733 events):
 * `application/dtmf-relay` (`Signal=5` and `Duration=160` lines, as Cisco and most phones send
 * it) or `application/dtmf` (the key alone). Returns null for any other content type or a body
 * that is not exactly one key.
 */
export function parseSipInfoDtmf(contentType: string | undefined, body: string): SipInfoDtmf | null {
  if (!contentType || body.length === 0 || body.length > SIP_INFO_DTMF_MAX_BYTES) return null;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dtmf') {
    const digit = dtmfSignalSchema.safeParse(body.trim());
    return digit.success ? { digit: digit.data } : null;
  }
  if (type !== 'application/dtmf-relay') return null;
  const fields: Record<string, string> = {};
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = /^\s*([A-Za-z-]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!match) return null;
    const name = match[1]!.toLowerCase();
    if (name in fields) return null;
    fields[name] = match[2]!;
  }
  const checked = dtmfRelayFieldsSchema.safeParse({ signal: fields.signal, duration: fields.duration });
  if (!checked.success) return null;
  return checked.data.duration === undefined ? { digit: checked.data.signal } : { digit: checked.data.signal, durationMs: checked.data.duration };
}
