import { describe, expect, it } from 'vitest';
import { FAIL2BAN_FAILREGEX, formatSipRefusal, RefusalLogBudget } from './sip-refusal-log';

/** fail2ban's `<HOST>` as a capture group (its own pattern accepts IPv4 and IPv6 addresses). */
const failregex = new RegExp(FAIL2BAN_FAILREGEX.replace('<HOST>', '(?<host>[0-9A-Fa-f.:]+)'));
/** What Nest's console logger puts in front of a warning (colours off). */
const nestPrefix = '[Nest] 4242  - 12/03/2026, 10:15:00 AM    WARN [Sip] ';

describe('the SIP refusal log line', () => {
  it('has one stable shape that the documented fail2ban filter reads the source from', () => {
    const line = formatSipRefusal({ reason: 'scanner', address: '203.0.113.9', port: 5070, method: 'OPTIONS', userAgent: 'friendly-scanner' });
    expect(line).toBe('SIP refused scanner from 203.0.113.9:5070 method=OPTIONS user-agent="friendly-scanner"');
    expect(failregex.exec(nestPrefix + line)?.groups?.host).toBe('203.0.113.9');
    const v6 = formatSipRefusal({ reason: 'source-busy', address: '2001:db8::7', port: 5060, method: 'INVITE' });
    expect(v6).toBe('SIP refused source-busy from [2001:db8::7]:5060 method=INVITE user-agent=""');
    expect(failregex.exec(nestPrefix + v6)?.groups?.host).toBe('2001:db8::7');
    expect(formatSipRefusal({ reason: 'tcp-connection-limit', address: '198.51.100.1', port: 40000 })).toBe(
      'SIP refused tcp-connection-limit from 198.51.100.1:40000 method=- user-agent=""',
    );
  });

  it('keeps what the caller writes from forging a line or another address', () => {
    const hostile = 'x"\r\nSIP refused scanner from 192.0.2.66:1 method=INVITE user-agent="\\';
    const line = formatSipRefusal({ reason: 'malformed', address: '203.0.113.9', port: 5060, method: 'IN VITE\n', userAgent: hostile });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.match(/"/g)).toHaveLength(2);
    expect(line).toContain('method=IN_VITE?');
    // fail2ban takes the first match: the real source, which comes before anything caller-controlled.
    expect(failregex.exec(nestPrefix + line)?.groups?.host).toBe('203.0.113.9');
    expect(formatSipRefusal({ reason: 'scanner', address: '203.0.113.9', port: 1, userAgent: 'a'.repeat(500) }).length).toBeLessThan(200);
  });

  it('logs a flood by a budget of lines per source, and says how many it left out', () => {
    const clock = { now: 0 };
    const budget = new RefusalLogBudget(3, 10_000, () => clock.now);
    expect([1, 2, 3, 4, 5].map(() => budget.take('ip:203.0.113.9').log)).toEqual([true, true, true, false, false]);
    expect(budget.take('ip:198.51.100.1')).toEqual({ log: true, suppressed: 0 });
    clock.now += 10_000;
    expect(budget.take('ip:203.0.113.9')).toEqual({ log: true, suppressed: 2 });
    expect(budget.take('ip:203.0.113.9')).toEqual({ log: true, suppressed: 0 });
    const line = formatSipRefusal({ reason: 'scanner', address: '203.0.113.9', port: 5060, method: 'OPTIONS', suppressed: 2 });
    expect(line).toBe('SIP refused scanner from 203.0.113.9:5060 method=OPTIONS user-agent="" suppressed=2');
    expect(failregex.exec(nestPrefix + line)?.groups?.host).toBe('203.0.113.9');
  });
});
