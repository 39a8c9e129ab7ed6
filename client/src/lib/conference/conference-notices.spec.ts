import type { ConferenceStateView, ParticipantView } from '@konferenz/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConferenceNotices, NOTICE_MS } from './conference-notices.svelte';
import { participantView } from './testing/participant-view';

function state(self: ParticipantView, others: ParticipantView[], extra: Partial<ConferenceStateView> = {}): ConferenceStateView {
  return {
    roomNumber: '47110815',
    self,
    participants: [self, ...others],
    waiting: [],
    waitingCount: 0,
    moderatorPresent: true,
    locked: false,
    screeningNewcomers: false,
    activeSpeakerId: null,
    settings: null,
    videoLastN: 12,
    chatEnabled: true,
    ...extra,
  };
}

const me = participantView('me');
const moderator = participantView('mod', { role: 'moderator', displayName: 'Moderatorin' });
const named = (id: string) => participantView(id, { displayName: id.toUpperCase() });

afterEach(() => vi.useRealTimers());

describe('ConferenceNotices', () => {
  it('tells nothing on the first state, then who joined and who left, and forgets each notice after a while', () => {
    vi.useFakeTimers();
    const notices = new ConferenceNotices();
    const first = state(me, [moderator]);
    notices.observe(null, first);
    expect(notices.notices).toEqual([]);
    const second = state(me, [moderator, named('anna')]);
    notices.observe(first, second);
    notices.observe(second, state(me, [named('anna')], { moderatorPresent: false }));
    expect(notices.notices.map(({ key, params }) => [key, params])).toEqual([
      ['ui.conference.notice.joined', { name: 'ANNA' }],
      ['ui.conference.notice.left', { name: 'Moderatorin' }],
      ['ui.conference.notice.moderatorLeft', {}],
    ]);
    vi.advanceTimersByTime(NOTICE_MS);
    expect(notices.notices).toEqual([]);
  });

  it('counts many arrivals at once instead of naming them, and shows at most four notices', () => {
    const notices = new ConferenceNotices();
    const before = state(me, []);
    notices.observe(before, state(me, ['a', 'b', 'c', 'd', 'e'].map(named)));
    expect(notices.notices.map(({ key, params }) => [key, params])).toEqual([['ui.conference.notice.joinedMany', { count: 5 }]]);
    let previous = before;
    for (const id of ['f', 'g', 'h', 'i', 'j']) {
      const next = state(me, [named(id)]);
      notices.observe(previous, next);
      previous = next;
    }
    expect(notices.notices.length).toBeLessThanOrEqual(4);
    notices.destroy();
  });

  it('chimes for moderators once per change that brings someone new to the waiting room', () => {
    const chime = vi.fn();
    const notices = new ConferenceNotices(chime);
    const self = participantView('mod', { role: 'moderator' });
    const empty = state(self, []);
    const oneWaiting = state(self, [], { waiting: [named('w1')], waitingCount: 1 });
    notices.observe(empty, oneWaiting);
    notices.observe(oneWaiting, { ...oneWaiting });
    expect(chime).toHaveBeenCalledTimes(1);
    expect(notices.chimes).toBe(1);
    expect(notices.notices.map(({ key, params }) => [key, params])).toEqual([['ui.conference.notice.waiting', { name: 'W1' }]]);
    notices.destroy();
  });
});
