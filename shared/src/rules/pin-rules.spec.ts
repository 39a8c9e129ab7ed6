import { describe, expect, it } from 'vitest';
import { pinProblem } from './pin-rules';

describe('pinProblem', () => {
  it.each(['583920', '740215', '9081726', '10293847'])('accepts %s', (pin) => {
    expect(pinProblem(pin, '46792069')).toBeNull();
  });

  it.each(['12345', '123456789', '12a456', ' 583920', '５８３９２０', ''])('rejects %j as malformed', (pin) => {
    expect(pinProblem(pin)).toBe('validation.pin.format');
  });

  it.each(['000000', '111111', '99999999', '121212', '123123', '12341234', '123456', '234567', '01234567', '654321', '98765432'])(
    'rejects %s as trivial',
    (pin) => {
      expect(pinProblem(pin)).toBe('validation.pin.trivial');
    },
  );

  it('rejects the room number and any part of it', () => {
    expect(pinProblem('46792069', '46792069')).toBe('validation.pin.roomNumber');
    expect(pinProblem('679206', '46792069')).toBe('validation.pin.roomNumber');
    expect(pinProblem('679207', '46792069')).toBeNull();
  });
});
