import { describe, expect, it } from 'vitest';
import { networkSource } from './network-source';

describe('networkSource', () => {
  it('keeps IPv4 addresses, also when mapped into IPv6', () => {
    expect(networkSource('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(networkSource('::ffff:203.0.113.7')).toBe('ip:203.0.113.7');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    expect(networkSource('2001:db8:1:2:aaaa::1')).toBe('ip:2001:db8:1:2::/64');
    expect(networkSource('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('ip:2001:db8:1:2::/64');
    expect(networkSource('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
    expect(networkSource('::1')).toBe('ip:0:0:0:0::/64');
  });

  it('names a missing address', () => {
    expect(networkSource(undefined)).toBe('ip:unknown');
  });
});
