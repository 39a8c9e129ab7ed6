import { participantAttributesPatchSchema, type ParticipantView } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { handPatch, handRaisedAt, isHandRaised, raisedHands } from './raised-hands';
import { participantView } from './testing/participant-view';

function participant(id: string, attributes: Record<string, string> = {}, overrides: Partial<ParticipantView> = {}): ParticipantView {
  return participantView(id, { attributes, ...overrides });
}

describe('handPatch', () => {
  it('raises with the time as decimal milliseconds and lowers by removing the key only', () => {
    expect(handPatch(true, 1_764_835_200_123)).toEqual({ hand: '1764835200123' });
    expect(handPatch(false)).toEqual({ hand: null });
  });

  it('is a patch the server accepts', () => {
    expect(participantAttributesPatchSchema.safeParse(handPatch(true)).success).toBe(true);
    expect(participantAttributesPatchSchema.safeParse(handPatch(false)).success).toBe(true);
  });
});

describe('isHandRaised / handRaisedAt', () => {
  it('counts the key as raised whatever its value, and reads milliseconds or an ISO date', () => {
    expect(isHandRaised({})).toBe(false);
    expect(isHandRaised({ mood: 'ok' })).toBe(false);
    expect(isHandRaised({ hand: '' })).toBe(true);
    expect(handRaisedAt({ hand: '1764835200123' })).toBe(1_764_835_200_123);
    expect(handRaisedAt({ hand: '2025-12-04T08:00:00.000Z' })).toBe(Date.UTC(2025, 11, 4, 8));
    expect(handRaisedAt({ hand: 'yes' })).toBeNull();
    expect(handRaisedAt({})).toBeNull();
  });
});

describe('raisedHands', () => {
  it('lists only raised hands, first raised first, whoever set them (browser or phone)', () => {
    const list = raisedHands([
      participant('moderator', {}, { role: 'moderator' }),
      participant('late', { hand: '3000' }),
      participant('caller', { hand: '1970-01-01T00:00:01.000Z' }, { via: 'phone' }),
      participant('quiet', { mood: 'ok' }),
      participant('early', { hand: '2000' }),
    ]);
    expect(list.map(({ id }) => id)).toEqual(['caller', 'early', 'late']);
  });

  it('puts values that are no time last and keeps the server’s order among equals', () => {
    const list = raisedHands([
      participant('odd-a', { hand: 'raised' }),
      participant('same-1', { hand: '5000' }),
      participant('odd-b', { hand: '' }),
      participant('same-2', { hand: '5000' }),
    ]);
    expect(list.map(({ id }) => id)).toEqual(['same-1', 'same-2', 'odd-a', 'odd-b']);
  });

  it('is empty when nobody raised a hand', () => {
    expect(raisedHands([participant('a'), participant('b', { mood: 'ok' })])).toEqual([]);
  });
});
