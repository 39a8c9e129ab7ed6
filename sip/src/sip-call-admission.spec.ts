import { describe, expect, it } from 'vitest';
import { SipCallAdmission } from './sip-call-admission';

function admissionAt(limits = { perCallerPerMinute: 2, perSourcePerMinute: 3 }) {
  const clock = { now: 1_000_000 };
  return { clock, admission: new SipCallAdmission(limits, () => clock.now) };
}

describe('SipCallAdmission', () => {
  it('lets a caller id place its budget of calls per minute, then says when to retry', () => {
    const { clock, admission } = admissionAt();
    expect(admission.admit('+4930111', '192.0.2.1')).toEqual({ admitted: true });
    clock.now += 10_000;
    expect(admission.admit('+4930111', '192.0.2.2')).toEqual({ admitted: true });
    clock.now += 5_000;
    expect(admission.admit('+4930111', '192.0.2.3')).toEqual({ admitted: false, reason: 'caller', retryAfterSeconds: 45 });
    clock.now += 45_000;
    expect(admission.admit('+4930111', '192.0.2.3')).toEqual({ admitted: true });
  });

  it('holds a source that rotates caller ids by its own budget', () => {
    const { admission } = admissionAt();
    for (const caller of ['+491', '+492', '+493']) expect(admission.admit(caller, '198.51.100.7').admitted).toBe(true);
    expect(admission.admit('+494', '198.51.100.7')).toMatchObject({ admitted: false, reason: 'source' });
    expect(admission.admit('+494', '198.51.100.8')).toEqual({ admitted: true });
  });

  it('gives a trusted trunk no source budget: its callers are held by their caller ids alone', () => {
    const { admission } = admissionAt({ perCallerPerMinute: 1, perSourcePerMinute: 2 });
    for (const caller of ['+491', '+492', '+493', '+494']) expect(admission.admit(caller, '198.51.100.7', true).admitted).toBe(true);
    expect(admission.admit('+491', '198.51.100.7', true)).toMatchObject({ admitted: false, reason: 'caller' });
  });

  it('counts an IPv6 /64 as one source', () => {
    const { admission } = admissionAt({ perCallerPerMinute: 100, perSourcePerMinute: 2 });
    expect(admission.admit('+491', '2001:db8:1:2::a').admitted).toBe(true);
    expect(admission.admit('+492', '2001:db8:1:2::b').admitted).toBe(true);
    expect(admission.admit('+493', '2001:db8:1:2:ffff::c')).toMatchObject({ admitted: false, reason: 'source' });
    expect(admission.admit('+493', '2001:db8:1:3::c').admitted).toBe(true);
  });

  it("counts callers without a number per source, so one source cannot use up every anonymous caller's budget", () => {
    const { admission } = admissionAt({ perCallerPerMinute: 1, perSourcePerMinute: 100 });
    expect(admission.admit('anonymous', '192.0.2.1').admitted).toBe(true);
    expect(admission.admit('anonymous', '192.0.2.1')).toMatchObject({ admitted: false, reason: 'caller' });
    expect(admission.admit('anonymous', '192.0.2.2').admitted).toBe(true);
  });

  it('does not count refused calls, so a refused caller is free again a minute after its last admitted call', () => {
    const { clock, admission } = admissionAt({ perCallerPerMinute: 1, perSourcePerMinute: 100 });
    expect(admission.admit('anonymous', '192.0.2.1').admitted).toBe(true);
    for (let i = 0; i < 20; i++) {
      clock.now += 2_000;
      expect(admission.admit('anonymous', '192.0.2.1').admitted).toBe(false);
    }
    clock.now += 20_000;
    expect(admission.admit('anonymous', '192.0.2.1').admitted).toBe(true);
  });
});
