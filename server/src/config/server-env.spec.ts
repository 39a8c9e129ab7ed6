import { describe, expect, it } from 'vitest';
import { serverEnvSchema } from './server-env';

function trustProxy(value?: string) {
  const result = serverEnvSchema.safeParse(value === undefined ? {} : { TRUST_PROXY: value });
  return result.success ? { value: result.data.TRUST_PROXY } : { error: result.error.issues.map((issue) => issue.message).join('; ') };
}

describe('TRUST_PROXY', () => {
  it('trusts no proxy unless told', () => {
    expect(trustProxy()).toEqual({ value: false });
    expect(trustProxy('')).toEqual({ value: false });
    expect(trustProxy('false')).toEqual({ value: false });
  });

  it('takes a hop count', () => {
    expect(trustProxy('1')).toEqual({ value: 1 });
    expect(trustProxy(' 2 ')).toEqual({ value: 2 });
  });

  it('takes a list of addresses, subnets and Express range names', () => {
    expect(trustProxy('loopback')).toEqual({ value: ['loopback'] });
    expect(trustProxy('10.0.0.0/8, 192.168.1.10,fd00::/8, ::1, uniquelocal')).toEqual({
      value: ['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '::1', 'uniquelocal'],
    });
  });

  it('refuses true, which would let clients choose their own address', () => {
    expect(trustProxy('true').error).toMatch(/number of proxies/);
  });

  it('names the entries it does not understand', () => {
    expect(trustProxy('loopback, proxy.example.org, 10.0.0.0/99').error).toMatch(/: proxy\.example\.org, 10\.0\.0\.0\/99$/);
    expect(trustProxy('-1').error).toBeDefined();
  });
});

describe('SIP_RTP_PORTS', () => {
  const rtpPorts = (value: string) => {
    const result = serverEnvSchema.safeParse({ SIP_RTP_PORTS: value });
    return result.success ? { value: result.data.SIP_RTP_PORTS } : { error: result.error.issues.map((issue) => issue.message).join('; ') };
  };

  it('is any free port unless a range is given', () => {
    expect(rtpPorts('')).toEqual({ value: undefined });
    expect(rtpPorts('40200-40299')).toEqual({ value: { min: 40200, max: 40299 } });
    expect(rtpPorts(' 40200 - 40201 ')).toEqual({ value: { min: 40200, max: 40201 } });
  });

  it('refuses what is not a usable range', () => {
    expect(rtpPorts('40200').error).toMatch(/range such as/);
    expect(rtpPorts('40299-40200').error).toMatch(/at least one even port/);
    expect(rtpPorts('80-90').error).toMatch(/within 1024-65535/);
    expect(rtpPorts('65000-70000').error).toMatch(/within 1024-65535/);
  });
});
