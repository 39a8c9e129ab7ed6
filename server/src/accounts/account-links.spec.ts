import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { AccountLinks } from './account-links';

const links = (sip: Partial<AppConfig['sip']>) =>
  new AccountLinks({
    publicUrl: 'https://konferenz.example',
    sip: { port: 5060, host: '0.0.0.0', publicHost: 'sip.konferenz.example', rtpHost: '0.0.0.0', dialInNumbers: [], ...sip },
  } as AppConfig);

describe('AccountLinks.dialIn', () => {
  it('gives the configured numbers and the room’s SIP URI', () => {
    expect(links({ dialInNumbers: ['+49 30 1234567'] }).dialIn('46792069')).toEqual({
      numbers: ['+49 30 1234567'],
      sipUri: 'sip:46792069@sip.konferenz.example:5060',
    });
  });

  it('brackets an IPv6 host', () => {
    expect(links({ publicHost: '2001:db8::1', port: 5070 }).dialIn('46792069').sipUri).toBe('sip:46792069@[2001:db8::1]:5070');
  });

  it('has no SIP URI when the gateway is off', () => {
    expect(links({ port: 0 }).dialIn('46792069')).toEqual({ numbers: [], sipUri: null });
  });
});
