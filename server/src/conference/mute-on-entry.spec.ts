import { describe, expect, it } from 'vitest';
import { entersMuted } from './mute-on-entry';

describe('entersMuted', () => {
  it("'after N' mutes a guest once N other guests are inside; 'all' always; 'off' never", () => {
    const afterTwo = { mode: 'after', guests: 2 } as const;
    expect([0, 1, 2, 3].map((inside) => entersMuted(afterTwo, inside))).toEqual([false, false, true, true]);
    expect(entersMuted({ mode: 'all' }, 0)).toBe(true);
    expect(entersMuted({ mode: 'off' }, 50)).toBe(false);
  });
});
