import { describe, expect, it } from 'vitest';
import { camerasShown, recentSpeakers } from './video-last-n';

describe('recentSpeakers', () => {
  it('moves the new speaker to the front, and keeps the order when nobody speaks', () => {
    let recent = recentSpeakers([], 'anna');
    recent = recentSpeakers(recent, 'ben');
    recent = recentSpeakers(recent, 'anna');
    expect(recent).toEqual(['anna', 'ben']);
    expect(recentSpeakers(recent, null)).toBe(recent);
    expect(recentSpeakers(recent, 'anna')).toBe(recent);
  });
});

describe('camerasShown', () => {
  it('takes the last speakers first, then the server’s order, N in all', () => {
    expect([...camerasShown(['a', 'b', 'c', 'd'], ['d', 'x', 'b'], 3)]).toEqual(['d', 'b', 'a']);
    expect(camerasShown(['a', 'b'], [], 5)).toEqual(new Set(['a', 'b']));
    expect(camerasShown(['a', 'b'], ['b'], 0).size).toBe(0);
  });
});
