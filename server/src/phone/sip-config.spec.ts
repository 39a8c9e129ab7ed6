import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';

const production = {
  NODE_ENV: 'production',
  PUBLIC_URL: 'https://konferenz.example.org',
  SESSION_SECRET: 'production-test-session-secret-0123456789',
  PIN_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
};

describe("the phone gateway's hardening settings", () => {
  it('have safe defaults: 10 lines per source, no trusted trunk, 30 s media timeout, one mix thread, a generic name, scanners dropped', () => {
    expect(loadConfig(production).sip).toMatchObject({
      maxCalls: 100,
      maxCallsPerSource: 10,
      trustedTrunks: [],
      mediaTimeoutMs: 30_000,
      mixThreads: 1,
      serverName: 'SIP Gateway',
      dropScanners: true,
    });
    // A small server keeps a line free for everyone else.
    expect(loadConfig({ ...production, SIP_MAX_CALLS: '4' }).sip.maxCallsPerSource).toBe(3);
  });

  it('read trunks as addresses and subnets, and refuse anything else', () => {
    expect(loadConfig({ ...production, SIP_TRUSTED_TRUNKS: ' 198.51.100.7, 203.0.113.0/28,2001:db8::/48 ' }).sip.trustedTrunks).toEqual([
      '198.51.100.7',
      '203.0.113.0/28',
      '2001:db8::/48',
    ]);
    expect(() => loadConfig({ ...production, SIP_TRUSTED_TRUNKS: 'trunk.example.com' })).toThrow(/SIP_TRUSTED_TRUNKS/);
  });

  it('refuse a per-source limit that lets one source take every line, and a name with line breaks', () => {
    expect(() => loadConfig({ ...production, SIP_MAX_CALLS: '20', SIP_MAX_CALLS_PER_SOURCE: '20' })).toThrow(/SIP_MAX_CALLS_PER_SOURCE/);
    expect(loadConfig({ ...production, SIP_MAX_CALLS_PER_SOURCE: '50' }).sip.maxCallsPerSource).toBe(50);
    expect(() => loadConfig({ ...production, SIP_SERVER_NAME: 'PBX\r\nX-Evil: 1' })).toThrow(/SIP_SERVER_NAME/);
    expect(loadConfig({ ...production, SIP_SERVER_NAME: '', SIP_DROP_SCANNERS: 'false' }).sip).toMatchObject({ serverName: '', dropScanners: false });
  });
});
