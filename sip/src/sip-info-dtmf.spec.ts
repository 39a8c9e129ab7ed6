import { describe, expect, it } from 'vitest';
import { parseSipInfoDtmf } from './sip-info-dtmf';

describe('parseSipInfoDtmf', () => {
  it.each([
    ['application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n', { digit: '5', durationMs: 160 }],
    ['application/dtmf-relay', 'signal= #\nduration=100', { digit: '#', durationMs: 100 }],
    ['Application/DTMF-Relay; charset=utf-8', 'Signal=*', { digit: '*' }],
    ['application/dtmf-relay', 'Signal=11\r\nDuration=250', { digit: '#', durationMs: 250 }],
    ['application/dtmf', '7', { digit: '7' }],
    ['application/dtmf', ' 10\r\n', { digit: '*' }],
    ['application/dtmf', 'b', { digit: 'B' }],
  ])('reads %s %j', (type, body, expected) => {
    expect(parseSipInfoDtmf(type, body)).toEqual(expected);
  });

  it.each([
    ['text/plain', 'Signal=5'],
    ['application/dtmf-relay', 'Signal=55'],
    ['application/dtmf-relay', 'Signal=5\r\nSignal=6'],
    ['application/dtmf-relay', 'Duration=100'],
    ['application/dtmf-relay', 'Signal=5\r\nDuration=-1'],
    ['application/dtmf-relay', 'garbage'],
    ['application/dtmf', '16'],
    ['application/dtmf', ''],
    ['application/dtmf', 'x'.repeat(1000)],
    [undefined, '5'],
  ])('refuses %s %j', (type, body) => {
    expect(parseSipInfoDtmf(type, body)).toBeNull();
  });
});
