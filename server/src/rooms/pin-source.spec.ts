import { describe, expect, it } from 'vitest';
import { browserSource } from './pin-source';

describe('browserSource', () => {
  it('keeps IPv4 addresses, also when mapped into IPv6', () => {
    expect(browserSource('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(browserSource('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    expect(browserSource('2001:db8:1:2:aaaa::1')).toBe('ip:2001:db8:1:2::/64');
    expect(browserSource('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('ip:2001:db8:1:2::/64');
    expect(browserSource('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
    expect(browserSource('::1')).toBe('ip:0:0:0:0::/64');
  });

  it('names a missing address', () => {
    expect(browserSource(undefined)).toBe('ip:unknown');
  });
});
