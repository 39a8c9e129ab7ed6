import { describe, expect, it } from 'vitest';
import { phoneOrigin } from './phone-origin';

describe('phoneOrigin', () => {
  it('names the signalling address, the trusted caller id and whether a trunk vouches for it', () => {
    const remote = { transport: 'UDP' as const, address: '203.0.113.4', port: 5060 };
    expect(phoneOrigin({ remote, origin: { trustedTrunk: false, user: '+49 30 123', withheld: false } })).toEqual({
      via: 'phone',
      address: '203.0.113.4',
      callerId: '+4930123',
      trustedTrunk: false,
    });
    expect(phoneOrigin({ remote, origin: { trustedTrunk: true, user: undefined, withheld: true } })).toEqual({
      via: 'phone',
      address: '203.0.113.4',
      callerId: 'anonymous',
      trustedTrunk: true,
    });
  });
});
