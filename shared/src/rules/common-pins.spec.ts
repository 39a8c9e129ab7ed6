import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCommonPin } from './common-pins';
import { pinProblem } from './pin-rules';

describe('common PINs', () => {
  it.each([
    '112233',
    '123321',
    '159753',
    '147258',
    '000001',
    '100000',
    '258456',
    '258014',
    '998877',
    '12344321',
    '250387',
    '071990',
    '199007',
    '24121987',
    '19870412',
  ])('refuses %s as commonly chosen', (pin) => {
    expect(pinProblem(pin)).toBe('validation.pin.common');
  });

  it.each([
    '583920',
    '740215',
    '9081726',
    '10293847',
    '918273',
    '47110815',
    '274951',
    '381946',
    '407285',
    '482913',
    '564738',
    '650194',
    '752048',
    '839162',
    '925713',
    '61839274',
  ])('still accepts %s', (pin) => {
    expect(pinProblem(pin)).toBeNull();
  });

  it('refuses only a few percent of all six-digit PINs', () => {
    let common = 0;
    for (let i = 0; i < 1_000_000; i++) if (isCommonPin(String(i).padStart(6, '0'))) common++;
    expect(common / 1_000_000).toBeGreaterThan(0.03);
    expect(common / 1_000_000).toBeLessThan(0.06);
  });

  it('lets random PINs pass almost always', () => {
    let refused = 0;
    for (let i = 0; i < 2000; i++) if (pinProblem(String(randomInt(0, 1_000_000)).padStart(6, '0'))) refused++;
    expect(refused / 2000).toBeLessThan(0.07);
  });
});
