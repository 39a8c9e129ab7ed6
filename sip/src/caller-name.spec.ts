import { describe, expect, it } from 'vitest';
import { callerId, maskedCallerName } from './caller-name';

describe('caller name', () => {
  it('masks a number to its prefix and last three digits', () => {
    expect(maskedCallerName('+4930123456')).toBe('+49 … 456');
    expect(maskedCallerName('030123456')).toBe('030 … 456');
    expect(maskedCallerName('+49 (30) 123-456')).toBe('+49 … 456');
  });

  it('shows anything else as Telefon', () => {
    for (const user of [undefined, '', 'anonymous', 'alice', '1234', '+49<script>']) expect(maskedCallerName(user)).toBe('Telefon');
  });

  it('counts PIN failures under the number, or anonymous', () => {
    expect(callerId('+4930111')).toBe('+4930111');
    expect(callerId('alice')).toBe('anonymous');
    expect(callerId(undefined)).toBe('anonymous');
  });
});
