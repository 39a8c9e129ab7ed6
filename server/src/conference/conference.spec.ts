import { DEFAULT_ROOM_SETTINGS, type RoomSettings } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { ApiException } from '../common/api-exception';
import { Conference, isHeldMuted, NO_MEDIA } from './conference';

const guest = (id: string) => ({ id, displayName: id, role: 'participant' as const, via: 'browser' as const });
const host = (id: string) => ({ id, displayName: id, role: 'moderator' as const, via: 'browser' as const });
const room = (settings: Partial<RoomSettings> = {}) => new Conference('46792069', { ...DEFAULT_ROOM_SETTINGS, ...settings });
const states = (conference: Conference) => Object.fromEntries(conference.participants.map((p) => [p.id, p.state]));

describe('Conference (the waiting room rules)', () => {
  it('queues guests until the moderator arrives, then admits everyone waiting at once', () => {
    const conference = room();
    expect(conference.arrive(guest('a'))).toEqual([]);
    expect(conference.arrive(guest('b'))).toEqual([]);
    expect(states(conference)).toEqual({ a: 'waiting', b: 'waiting' });
    const admitted = conference.arrive(host('m'));
    expect(admitted.map((p) => p.id).sort()).toEqual(['a', 'b', 'm']);
    expect(states(conference)).toEqual({ a: 'admitted', b: 'admitted', m: 'admitted' });
  });

  it('lets guests straight in while a moderator is there', () => {
    const conference = room();
    conference.arrive(host('m'));
    expect(conference.arrive(guest('c')).map((p) => p.id)).toEqual(['c']);
  });

  it('after a removal, newcomers wait for the moderator even though the room admits automatically', () => {
    const conference = room();
    conference.arrive(host('m'));
    conference.arrive(guest('troll'));
    conference.depart('troll');
    conference.screeningNewcomers = true;
    expect(conference.arrive(guest('troll-again'))).toEqual([]);
    expect(conference.arrive(guest('friend'))).toEqual([]);
    expect(conference.view('m', () => NO_MEDIA)).toMatchObject({ screeningNewcomers: true, waitingCount: 2 });
    expect(conference.admit('friend').map((p) => p.id)).toEqual(['friend']);
    conference.depart('m');
    expect(conference.arrive(host('m2')).map((p) => p.id)).toEqual(['m2']);
    expect(conference.find('troll-again')!.state).toBe('waiting');
  });

  it('a returning moderator lets back in those who had been in, even when newcomers must be admitted by hand', () => {
    for (const conference of [room({ admission: 'manual' }), Object.assign(room(), { screeningNewcomers: true })]) {
      conference.arrive(host('m'));
      conference.arrive(guest('was-in'));
      conference.admit('was-in');
      conference.depart('m');
      conference.sendBackToWaiting();
      conference.arrive(guest('new'));
      expect(
        conference
          .arrive(host('m2'))
          .map((p) => p.id)
          .sort(),
      ).toEqual(['m2', 'was-in']);
      expect(conference.find('new')!.state).toBe('waiting');
    }
  });

  it('with manual admission, the moderator admits one by one or all at once', () => {
    const conference = room({ admission: 'manual' });
    conference.arrive(guest('a'));
    conference.arrive(guest('b'));
    conference.arrive(host('m'));
    expect(states(conference)).toEqual({ a: 'waiting', b: 'waiting', m: 'admitted' });
    conference.arrive(guest('c'));
    expect(conference.find('c')!.state).toBe('waiting');
    expect(conference.admit('a').map((p) => p.id)).toEqual(['a']);
    expect(
      conference
        .admitAll()
        .map((p) => p.id)
        .sort(),
    ).toEqual(['b', 'c']);
  });

  it('a locked room turns away new guests but keeps those waiting and lets moderators in', () => {
    const conference = room();
    conference.arrive(guest('a'));
    conference.locked = true;
    expect(() => conference.arrive(guest('b'))).toThrow(ApiException);
    expect(conference.find('a')!.state).toBe('waiting');
    conference.arrive(host('m'));
    expect(conference.find('a')!.state).toBe('admitted');
  });

  it('a returning participant keeps their place instead of queueing again', () => {
    const conference = room();
    conference.arrive(host('m'));
    conference.arrive(guest('a'));
    conference.find('a')!.connected = false;
    conference.locked = true;
    expect(conference.arrive(guest('a'))).toEqual([]);
    expect(conference.find('a')).toMatchObject({ state: 'admitted', connected: true });
  });

  it('reports the last moderator leaving, and can send guests back to the queue', () => {
    const conference = room();
    conference.arrive(host('m1'));
    conference.arrive(host('m2'));
    conference.arrive(guest('a'));
    expect(conference.depart('m1')).toBe(false);
    expect(conference.depart('m2')).toBe(true);
    expect(conference.sendBackToWaiting().map((p) => p.id)).toEqual(['a']);
    expect(conference.find('a')!.state).toBe('waiting');
  });

  it('shows the waiting list to moderators only, and nothing of the conference to those waiting', () => {
    const conference = room({ admission: 'manual' });
    conference.arrive(host('m'));
    conference.arrive(guest('a'));
    const media = () => ({ microphone: 'on' as const, camera: 'off' as const, screen: false });
    const moderatorView = conference.view('m', media);
    expect(moderatorView.waiting.map((p) => p.id)).toEqual(['a']);
    expect(moderatorView.settings).toEqual({ admission: 'manual', moderatorLeaves: 'continue', muteOnEntry: { mode: 'off' }, entryExitTones: true });
    const guestView = conference.view('a', media);
    expect(guestView.participants).toEqual([]);
    expect(guestView.waiting).toEqual([]);
    expect(guestView.waitingCount).toBe(1);
    expect(guestView.self).toMatchObject({ state: 'waiting', ...NO_MEDIA });
    expect(guestView.settings).toBeNull();
  });

  it("shows everyone's attributes, those waiting included for moderators, and keeps them across a reconnect", () => {
    const conference = room({ admission: 'manual' });
    conference.arrive(host('m'));
    conference.arrive(guest('a'));
    expect(conference.view('m', () => NO_MEDIA).waiting[0]!.attributes).toEqual({});
    conference.find('a')!.attributes = { hand: 'raised' };
    conference.find('m')!.attributes = { lang: 'de' };
    conference.arrive(guest('a'));
    expect(conference.view('m', () => NO_MEDIA).waiting[0]!.attributes).toEqual({ hand: 'raised' });
    conference.admit('a');
    const view = conference.view('a', () => NO_MEDIA);
    expect(view.self.attributes).toEqual({ hand: 'raised' });
    expect(view.participants.find((p) => p.id === 'm')!.attributes).toEqual({ lang: 'de' });
  });
});

/** The conference as another node rebuilds it from its record (JSON, as stored in Redis). */
function moved(before: Conference): Conference {
  const after = new Conference(before.roomNumber, before.settings);
  after.locked = before.locked;
  after.restore(JSON.parse(JSON.stringify(before.record())));
  return after;
}

describe('Conference moved to another node (record and restore)', () => {
  it('lets back in with the moderator whoever had been in, even with admission by hand; newcomers still wait', () => {
    const before = room({ admission: 'manual', moderatorLeaves: 'end' });
    before.arrive(host('m'));
    before.arrive(guest('in'));
    before.admit('in');
    before.arrive(guest('waits'));
    const after = moved(before);
    expect(after.arrive(guest('in'))).toEqual([]);
    expect(after.arrive(guest('waits'))).toEqual([]);
    expect(after.arrive(host('m')).map((p) => p.id)).toEqual(['m', 'in']);
    expect(after.arrive(guest('new'))).toEqual([]);
    expect(states(after)).toEqual({ in: 'admitted', waits: 'waiting', m: 'admitted', new: 'waiting' });
  });

  it('keeps who was muted by a moderator, raised hands, and the screening after a removal', () => {
    const before = room();
    before.arrive(host('m'));
    before.arrive(guest('g'));
    before.find('g')!.mutedByModerator = true;
    before.find('g')!.attributes = { hand: '1764850000000' };
    before.screeningNewcomers = true;
    const after = moved(before);
    after.arrive(host('m'));
    after.arrive(guest('g'));
    expect(after.find('g')).toMatchObject({ state: 'admitted', mutedByModerator: true, attributes: { hand: '1764850000000' } });
    expect(after.screeningNewcomers).toBe(true);
    // Someone not back yet keeps their standing in the next record.
    expect(moved(after).record().standings['g']).toEqual({
      moderator: false,
      inside: true,
      mutedByModerator: true,
      mutedOnEntry: false,
      attributes: { hand: '1764850000000' },
    });
    expect(moved(before).awaitedModerators).toEqual(['m']);
  });

  it('those who were inside are inside again before the moderator is back where those inside stay without one; others wait for a moderator', () => {
    for (const [moderatorLeaves, guestState] of [
      ['continue', 'admitted'],
      ['back-to-waiting', 'waiting'],
      ['end', 'waiting'],
    ] as const) {
      const before = room({ moderatorLeaves });
      before.arrive(host('m'));
      before.arrive(guest('in'));
      const after = moved(before);
      after.arrive(guest('in'));
      after.arrive(guest('new'));
      expect(states(after), moderatorLeaves).toEqual({ in: guestState, new: 'waiting' });
    }
  });

  it('keeps the waiting order, whoever reconnects first', () => {
    const before = room({ moderatorLeaves: 'end' });
    for (const id of ['first', 'second', 'third']) before.arrive(guest(id));
    const after = moved(before);
    for (const id of ['third', 'new', 'first', 'second']) after.arrive(guest(id));
    expect(after.participants.map((p) => p.id)).toEqual(['first', 'second', 'third', 'new']);
    expect(moved(after).record().order).toEqual(['first', 'second', 'third', 'new']);
  });

  it('a lock keeps newcomers out, not those who were there, waiting or in', () => {
    const before = room();
    before.arrive(guest('waits'));
    before.arrive(host('m'));
    before.arrive(guest('in'));
    before.locked = true;
    const after = moved(before);
    after.arrive(guest('in'));
    after.arrive(guest('waits'));
    expect(() => after.arrive(guest('new'))).toThrow(ApiException);
  });
});

describe('Conference: mute on entry (room setting muteOnEntry)', () => {
  const muted = (conference: Conference) => Object.fromEntries(conference.participants.map((p) => [p.id, p.mutedOnEntry]));

  it("'after 1': the first guest inside enters as they chose, the guests after them muted; moderators never", () => {
    const conference = room({ muteOnEntry: { mode: 'after', guests: 1 } });
    conference.arrive(host('m'));
    conference.arrive(guest('first'));
    conference.arrive(guest('second'));
    conference.arrive(host('m2'));
    expect(muted(conference)).toEqual({ m: false, first: false, second: true, m2: false });
    expect(conference.view('second', () => NO_MEDIA).self.mutedOnEntry).toBe(true);
  });

  it("'all' mutes every guest; 'off' none", () => {
    const all = room({ muteOnEntry: { mode: 'all' } });
    const off = room();
    for (const conference of [all, off]) {
      conference.arrive(host('m'));
      conference.arrive(guest('a'));
      conference.arrive(guest('b'));
    }
    expect(muted(all)).toEqual({ m: false, a: true, b: true });
    expect(muted(off)).toEqual({ m: false, a: false, b: false });
  });

  it('counts guests inside at the moment of entry: those waiting and those gone do not count, and a queue let in at once is counted one by one', () => {
    const conference = room({ admission: 'manual', muteOnEntry: { mode: 'after', guests: 2 } });
    conference.arrive(host('m'));
    for (const id of ['a', 'b', 'c']) conference.arrive(guest(id));
    expect(muted(conference)).toEqual({ m: false, a: false, b: false, c: false });
    conference.admitAll();
    expect(muted(conference)).toEqual({ m: false, a: false, b: false, c: true });
    conference.depart('a');
    conference.arrive(guest('d'));
    conference.admit('d');
    expect(muted(conference)).toMatchObject({ d: true });
    conference.depart('b');
    conference.depart('c');
    conference.arrive(guest('e'));
    conference.admit('e');
    expect(muted(conference)).toMatchObject({ e: false });
  });

  it('applies on entering, not again when a guest comes back from the queue or after a move', () => {
    const conference = room({ moderatorLeaves: 'back-to-waiting', muteOnEntry: { mode: 'all' } });
    conference.arrive(host('m'));
    conference.arrive(guest('g'));
    // The guest unmuted themselves (media-requests.ts clears the flag).
    conference.find('g')!.mutedOnEntry = false;
    conference.depart('m');
    conference.sendBackToWaiting();
    conference.arrive(host('m'));
    expect(conference.find('g')).toMatchObject({ state: 'admitted', mutedOnEntry: false });

    const before = room({ muteOnEntry: { mode: 'all' } });
    before.arrive(host('m'));
    before.arrive(guest('still-muted'));
    before.arrive(guest('unmuted'));
    before.find('unmuted')!.mutedOnEntry = false;
    const after = moved(before);
    after.arrive(host('m'));
    after.arrive(guest('still-muted'));
    after.arrive(guest('unmuted'));
    expect(muted(after)).toEqual({ m: false, 'still-muted': true, unmuted: false });
  });

  it('holds the microphone for a mute on entry as for a moderator’s', () => {
    const conference = room({ muteOnEntry: { mode: 'all' } });
    conference.arrive(host('m'));
    conference.arrive(guest('g'));
    expect(isHeldMuted(conference.find('g')!)).toBe(true);
    expect(isHeldMuted(conference.find('m')!)).toBe(false);
  });
});
