import { describe, expect, it } from 'vitest';
import { formatRoomNumber, ROOM_NUMBER_PATTERN } from './room-number';

describe('room numbers', () => {
  it('are 8 digits without a leading zero, grouped for reading', () => {
    expect(ROOM_NUMBER_PATTERN.test('46792069')).toBe(true);
    expect(ROOM_NUMBER_PATTERN.test('06792069')).toBe(false);
    expect(ROOM_NUMBER_PATTERN.test('4679206')).toBe(false);
    expect(formatRoomNumber('46792069')).toBe('4679 2069');
  });
});
