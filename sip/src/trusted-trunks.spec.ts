import { describe, expect, it } from 'vitest';
import { assertedCallerUser } from './caller-name';
import { TrustedTrunks } from './trusted-trunks';

describe('TrustedTrunks', () => {
  it('matches listed addresses and subnets, IPv4 (also IPv4-mapped) and IPv6, and nothing when empty', () => {
    const trunks = new TrustedTrunks(['198.51.100.7', '203.0.113.0/28', '2001:db8:5::/48']);
    expect(trunks.includes('198.51.100.7')).toBe(true);
    expect(trunks.includes('198.51.100.8')).toBe(false);
    expect(trunks.includes('203.0.113.15')).toBe(true);
    expect(trunks.includes('203.0.113.16')).toBe(false);
    expect(trunks.includes('::ffff:203.0.113.1')).toBe(true);
    expect(trunks.includes('2001:db8:5:1::9')).toBe(true);
    expect(trunks.includes('2001:db8:6::9')).toBe(false);
    expect(new TrustedTrunks([]).includes('198.51.100.7')).toBe(false);
  });
});

describe('assertedCallerUser', () => {
  it('reads the number from sip, sips and tel P-Asserted-Identity values', () => {
    expect(assertedCallerUser('"Kunde" <sip:+4930123@trunk.example;user=phone>')).toBe('+4930123');
    expect(assertedCallerUser('<tel:+4940555;cpc=ordinary>')).toBe('+4940555');
    expect(assertedCallerUser('<http://x>, <tel:+4989>')).toBe('+4989');
    expect(assertedCallerUser('sips:017612345@x')).toBe('017612345');
    expect(assertedCallerUser(undefined)).toBeUndefined();
    expect(assertedCallerUser('<sip:trunk.example>')).toBeUndefined();
  });
});
