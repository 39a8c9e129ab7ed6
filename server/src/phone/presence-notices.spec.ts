import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PresenceChange } from './presence-tones';
import { PRESENCE_NOTICE_WINDOW_MS, PresenceNotices } from './presence-notices';

describe('PresenceNotices', () => {
  let told: PresenceChange[][];
  let notices: PresenceNotices;
  beforeEach(() => {
    vi.useFakeTimers();
    told = [];
    notices = new PresenceNotices((changes) => told.push(changes));
  });
  afterEach(() => vi.useRealTimers());

  it('tells ten entries at once (a waiting room let in) as one, at the end of the window', () => {
    for (let i = 0; i < 10; i++) notices.add('entry');
    vi.advanceTimersByTime(PRESENCE_NOTICE_WINDOW_MS - 1);
    expect(told).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual([['entry']]);
  });

  it('gathers changes from the first one on; an entry and exits in one window are one of each, in order', () => {
    notices.add('exit');
    vi.advanceTimersByTime(300);
    notices.add('entry');
    notices.add('exit');
    vi.advanceTimersByTime(200);
    expect(told).toEqual([['exit', 'entry']]);
    notices.add('entry');
    vi.advanceTimersByTime(PRESENCE_NOTICE_WINDOW_MS);
    expect(told).toEqual([['exit', 'entry'], ['entry']]);
  });

  it('drops what was gathered when cleared', () => {
    notices.add('entry');
    notices.clear();
    vi.advanceTimersByTime(PRESENCE_NOTICE_WINDOW_MS);
    expect(told).toEqual([]);
    notices.add('exit');
    vi.advanceTimersByTime(PRESENCE_NOTICE_WINDOW_MS);
    expect(told).toEqual([['exit']]);
  });
});
