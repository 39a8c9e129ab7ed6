import type { MediaPlane } from '@konferenz/sfu';
import { DEFAULT_ROOM_SETTINGS, type ConferenceRole, type ConferenceStateView, type RoomSettings } from '@konferenz/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryConferenceMarks } from '../../test/support/in-memory-conference-marks';
import type { ConferenceRecords } from '../cluster/conference-records';
import type { RoomClaim, RoomOwnership } from '../cluster/room-ownership';
import type { AppConfig } from '../config/app-config';
import type { RoomAccess } from '../rooms/room-access.service';
import type { ConferenceInvitations } from './conference-invitations';
import type { ConferenceRecord, Participant } from './conference';
import type { ConferenceEvent } from './conference-events';
import { ConferenceService } from './conference.service';
import type { JoinClaims } from './join-token';
import type { ConferenceMessages, ParticipantConnection } from './participant-connection';

const ROOM = '46792069';
const GRACE_MS = 30_000;
const TOKEN_TTL_MS = 60 * 60_000;
const config = { conference: { tokenTtlMs: TOKEN_TTL_MS, moderatorGraceMs: GRACE_MS, videoLastN: 12 }, turn: null } as unknown as AppConfig;

/** Every event told to any participant, in order, as `<participant> <event>`. */
type Log = string[];

/** A browser tab or phone call as the service sees it: what it was told, and whether it was closed. */
class RecordingConnection implements ParticipantConnection {
  static #count = 0;
  readonly id = `connection-${++RecordingConnection.#count}`;
  readonly events: ConferenceEvent[] = [];
  readonly states: ConferenceStateView[] = [];
  closed = false;

  constructor(
    readonly participantId: string,
    private readonly log: Log,
  ) {}

  notify(event: ConferenceEvent): void {
    this.events.push(event);
    this.log.push(`${this.participantId} ${event.type}${'from' in event ? `:${event.from}` : ''}`);
  }

  send<E extends keyof ConferenceMessages>(event: E, ...payload: Parameters<ConferenceMessages[E]>): void {
    if (event === 'conference:state') this.states.push(payload[0] as ConferenceStateView);
  }

  close(): void {
    this.closed = true;
  }

  get state(): ConferenceStateView {
    return this.states.at(-1)!;
  }
}

/** Room leases as a cluster would answer them: this node's, or another node's at `elsewhere`. */
class FakeOwnership implements RoomOwnership {
  elsewhere: string | null = null;
  readonly released: string[] = [];
  lose: (roomNumber: string) => void = () => undefined;

  async claim(): Promise<RoomClaim> {
    return this.elsewhere ? { owned: false, nodeUrl: this.elsewhere } : { owned: true };
  }

  async release(roomNumber: string): Promise<void> {
    this.released.push(roomNumber);
  }

  async releaseAll(): Promise<void> {
    this.released.push('all');
  }

  holdWhile(): void {}

  onLost(listener: (roomNumber: string) => void): void {
    this.lose = listener;
  }
}

/** Conference records as Redis would keep them between nodes. */
class MapRecords implements ConferenceRecords {
  readonly stored = new Map<string, ConferenceRecord>();

  async load(roomNumber: string): Promise<ConferenceRecord | null> {
    return this.stored.get(roomNumber) ?? null;
  }

  save(roomNumber: string, record: () => ConferenceRecord): void {
    this.stored.set(roomNumber, JSON.parse(JSON.stringify(record())) as ConferenceRecord);
  }

  remove(roomNumber: string): void {
    this.stored.delete(roomNumber);
  }
}

function setUp(settings: Partial<RoomSettings> = {}, marks = new InMemoryConferenceMarks(), ownership = new FakeOwnership(), records = new MapRecords()) {
  const log: Log = [];
  let roomReset: ((roomNumber: string) => void) | undefined;
  const plane = {
    on: (event: string, listener: (roomNumber: string) => void) => {
      if (event === 'roomReset') roomReset = listener;
    },
    room: async () => {
      throw new Error('no media in unit tests');
    },
    close: async () => undefined,
  };
  const access = { settings: async () => ({ ...DEFAULT_ROOM_SETTINGS, ...settings }) };
  // Invitations are read from the account: conference-invitations.spec.ts and the socket tests cover them.
  const invitations = {} as ConferenceInvitations;
  const service = new ConferenceService(config, plane as unknown as MediaPlane, marks, access as unknown as RoomAccess, ownership, records, invitations);
  const claims = (pid: string, role: ConferenceRole): JoinClaims => ({ room: ROOM, pid, role, name: pid, iat: Date.now(), exp: Date.now() + TOKEN_TTL_MS });
  const join = async (pid: string, role: ConferenceRole = 'participant', via: Participant['via'] = 'browser') => {
    const connection = new RecordingConnection(pid, log);
    await service.connect(claims(pid, role), connection, via);
    return connection;
  };
  return { service, marks, log, claims, join, ownership, records, resetMedia: () => roomReset!(ROOM) };
}

const ids = (views: { id: string }[]) => views.map((view) => view.id);

describe('ConferenceService', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('admission', () => {
    it('keeps guests who come before the moderator waiting, and tells them nobody moderates yet', async () => {
      const { join } = setUp();
      const guest = await join('g');
      expect(guest.events).toEqual([{ type: 'waiting', moderatorPresent: false }]);
      expect(guest.state).toMatchObject({ self: { id: 'g', state: 'waiting' }, participants: [], waitingCount: 1, moderatorPresent: false });
    });

    it("admits everyone waiting in their arrival order on the moderator's arrival", async () => {
      const { join, log } = setUp();
      const first = await join('first');
      const second = await join('second');
      const moderator = await join('m', 'moderator');
      expect(log).toEqual(['first waiting', 'second waiting', 'm admitted:arrival', 'first admitted:waiting', 'second admitted:waiting']);
      expect(first.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 3 });
      expect(moderator.events).toEqual([{ type: 'admitted', from: 'arrival', participantCount: 3 }]);
      expect(ids(second.state.participants)).toEqual(['first', 'second', 'm']);
    });

    it('lets guests straight in while a moderator is there', async () => {
      const { join } = setUp();
      await join('m', 'moderator');
      const guest = await join('g');
      expect(guest.events).toEqual([{ type: 'admitted', from: 'arrival', participantCount: 2 }]);
    });

    it('with manual admission, tells those waiting that the moderator came, and lets them in one by one or all at once', async () => {
      const { join, service } = setUp({ admission: 'manual' });
      const a = await join('a');
      const b = await join('b');
      const c = await join('c');
      const moderator = await join('m', 'moderator');
      expect(a.events).toEqual([
        { type: 'waiting', moderatorPresent: false },
        { type: 'waiting', moderatorPresent: true },
      ]);
      expect(ids(moderator.state.waiting)).toEqual(['a', 'b', 'c']);
      await service.request('m', 'moderator:admit', { participantId: 'b' });
      expect(b.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 2 });
      expect(a.events.at(-1)).toEqual({ type: 'waiting', moderatorPresent: true });
      await service.request('m', 'moderator:admitAll', {});
      expect(a.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 4 });
      expect(c.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 4 });
      expect(moderator.state.waitingCount).toBe(0);
    });

    it('counts admitted participants for those admitted, and none for those waiting', async () => {
      const { join, service } = setUp({ admission: 'manual' });
      await join('m', 'moderator');
      await join('g');
      expect(service.participantCount('m')).toBe(1);
      expect(service.participantCount('g')).toBe(0);
      await expect(service.mediaRoom('g')).rejects.toMatchObject({ code: 'NOT_ADMITTED' });
    });
  });

  describe('requests', () => {
    it('are for moderators only where they moderate: a participant can neither admit, mute, lock, remove nor end', async () => {
      const { join, service, marks } = setUp({ admission: 'manual' });
      await join('m', 'moderator');
      await join('w');
      await join('other-moderator', 'moderator');
      await service.request('m', 'moderator:admitAll', {});
      const waiting = await join('late');
      for (const [name, payload] of [
        ['moderator:admit', { participantId: 'late' }],
        ['moderator:mute', { participantId: 'm' }],
        ['moderator:setLocked', { locked: true }],
        ['moderator:remove', { participantId: 'm' }],
        ['moderator:end', {}],
      ] as const) {
        await expect(service.request('w', name, payload as never)).rejects.toMatchObject({ code: 'MODERATOR_ONLY' });
      }
      expect(waiting.state.self.state).toBe('waiting');
      expect(marks.locked.size + marks.removed.size + marks.endedAt.size).toBe(0);
      expect(await service.isLocked(ROOM)).toBe(false);
    });

    it('come only from someone in a conference, over their current connection', async () => {
      const { join, service } = setUp();
      await expect(service.request('nobody', 'conference:leave', {})).rejects.toMatchObject({ code: 'CONFERENCE_TOKEN_INVALID' });
      const first = await join('g');
      await join('g');
      await expect(service.request('g', 'conference:leave', {}, first.id)).rejects.toMatchObject({ code: 'CONFERENCE_TOKEN_INVALID' });
    });

    it('let admitted participants set their own attributes, and moderators clear them; those waiting cannot', async () => {
      const { join, service } = setUp({ admission: 'manual' });
      const moderator = await join('m', 'moderator');
      await join('g');
      await expect(service.request('g', 'participant:setAttributes', { attributes: { hand: 'raised' } })).rejects.toMatchObject({ code: 'NOT_ADMITTED' });
      await service.request('m', 'moderator:admit', { participantId: 'g' });
      await service.request('g', 'participant:setAttributes', { attributes: { hand: 'raised', mood: 'ok' } });
      await service.request('g', 'participant:setAttributes', { attributes: { mood: null } });
      expect(moderator.state.participants.find((view) => view.id === 'g')!.attributes).toEqual({ hand: 'raised' });
      await expect(service.request('g', 'moderator:clearAttributes', { participantId: 'g' })).rejects.toMatchObject({ code: 'MODERATOR_ONLY' });
      await service.request('m', 'moderator:clearAttributes', { participantId: 'g' });
      expect(moderator.state.participants.find((view) => view.id === 'g')!.attributes).toEqual({});
    });

    it('mark a guest muted by the moderator for everyone to see', async () => {
      const { join, service } = setUp();
      await join('m', 'moderator');
      const guest = await join('g');
      await service.request('m', 'moderator:mute', { participantId: 'g' });
      expect(guest.state.self.mutedByModerator).toBe(true);
    });
  });

  describe('lock', () => {
    it('turns away new guests but lets moderators in, and is lifted when the conference closes', async () => {
      const { join, service, marks, claims } = setUp();
      const moderator = await join('m', 'moderator');
      await service.request('m', 'moderator:setLocked', { locked: true });
      expect(moderator.state.locked).toBe(true);
      expect(await service.isLocked(ROOM)).toBe(true);
      await expect(service.connect(claims('g', 'participant'), new RecordingConnection('g', []))).rejects.toMatchObject({ code: 'ROOM_LOCKED' });
      await join('m2', 'moderator');
      await service.request('m', 'conference:leave', {});
      await service.request('m2', 'conference:leave', {});
      expect(marks.locked.has(ROOM)).toBe(false);
      await join('g');
    });

    it('survives a restart: a new server locks the conference again from the stored mark', async () => {
      const before = setUp();
      await before.join('m', 'moderator');
      await before.service.request('m', 'moderator:setLocked', { locked: true });
      await before.service.stop();
      const after = setUp({}, before.marks);
      expect(await after.service.isLocked(ROOM)).toBe(true);
      await expect(after.join('g')).rejects.toMatchObject({ code: 'ROOM_LOCKED' });
    });

    it('changes nothing when it cannot be stored', async () => {
      const { join, service, marks } = setUp();
      const moderator = await join('m', 'moderator');
      marks.failing = true;
      await expect(service.request('m', 'moderator:setLocked', { locked: true })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      expect(await service.isLocked(ROOM)).toBe(false);
      expect(moderator.state.locked).toBe(false);
    });

    it('is confirmed to the marks while its conference runs, so it does not expire', async () => {
      const { join, service, marks } = setUp();
      service.onModuleInit();
      await join('m', 'moderator');
      await service.request('m', 'moderator:setLocked', { locked: true });
      await vi.advanceTimersByTimeAsync(TOKEN_TTL_MS / 2);
      expect(marks.confirmed).toEqual([[ROOM]]);
      service.onModuleDestroy();
    });
  });

  describe('removal and end', () => {
    it('removes a guest for good: told and disconnected, their token refused, newcomers screened', async () => {
      const { join, service, claims } = setUp();
      const moderator = await join('m', 'moderator');
      const troll = await join('troll');
      await service.request('m', 'moderator:remove', { participantId: 'troll' });
      expect(troll.events.at(-1)).toEqual({ type: 'ended', reason: 'removed' });
      expect(troll.closed).toBe(true);
      expect(ids(moderator.state.participants)).toEqual(['m']);
      expect(await service.isAdmissible(claims('troll', 'participant'))).toBe(false);
      const newcomer = await join('newcomer');
      expect(newcomer.events).toEqual([{ type: 'waiting', moderatorPresent: true }]);
      expect(moderator.state.screeningNewcomers).toBe(true);
    });

    it('does not let a moderator remove another moderator', async () => {
      const { join, service } = setUp();
      await join('m', 'moderator');
      const other = await join('m2', 'moderator');
      await service.request('m', 'moderator:remove', { participantId: 'm2' });
      expect(other.closed).toBe(false);
      expect(ids(other.state.participants)).toEqual(['m', 'm2']);
    });

    it('ends the conference for everyone, refusing the tokens issued before the end but not those issued after', async () => {
      const { join, service, claims } = setUp();
      const moderator = await join('m', 'moderator');
      const guest = await join('g');
      const earlier = claims('g', 'participant');
      vi.advanceTimersByTime(1_000);
      await service.request('m', 'moderator:end', {});
      for (const connection of [moderator, guest]) {
        expect(connection.events.at(-1)).toEqual({ type: 'ended', reason: 'ended-by-moderator' });
        expect(connection.closed).toBe(true);
      }
      expect(await service.isAdmissible(earlier)).toBe(false);
      vi.advanceTimersByTime(1_000);
      const fresh = await join('g');
      expect(fresh.events).toEqual([{ type: 'waiting', moderatorPresent: false }]);
    });

    it('lets a participant leave: told, disconnected, and gone from the others\u2019 list', async () => {
      const { join, service } = setUp();
      const moderator = await join('m', 'moderator');
      const guest = await join('g');
      await service.request('g', 'conference:leave', {});
      expect(guest.events.at(-1)).toEqual({ type: 'ended', reason: 'left' });
      expect(guest.closed).toBe(true);
      expect(ids(moderator.state.participants)).toEqual(['m']);
    });
  });

  describe('dropped connections', () => {
    it('keep a participant listed, shown disconnected, until the grace period runs out', async () => {
      const { join, service } = setUp();
      const moderator = await join('m', 'moderator');
      const guest = await join('g');
      service.disconnected('g', guest.id);
      expect(moderator.state.participants.find((view) => view.id === 'g')).toMatchObject({ connected: false });
      await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
      expect(ids(moderator.state.participants)).toEqual(['m', 'g']);
      await vi.advanceTimersByTimeAsync(1);
      expect(ids(moderator.state.participants)).toEqual(['m']);
      expect(guest.events.some((event) => event.type === 'ended')).toBe(false);
    });

    it('are forgiven by a reconnect within the grace period: the participant keeps their place', async () => {
      const { join, service } = setUp();
      const moderator = await join('m', 'moderator');
      const first = await join('g');
      service.disconnected('g', first.id);
      await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
      const second = await join('g');
      expect(second.events).toEqual([{ type: 'admitted', from: 'arrival', participantCount: 2 }]);
      await vi.advanceTimersByTimeAsync(GRACE_MS);
      expect(moderator.state.participants.find((view) => view.id === 'g')).toMatchObject({ connected: true, state: 'admitted' });
    });

    it('close the older tab when the participant connects again, and ignore that tab\u2019s late disconnect', async () => {
      const { join, service } = setUp();
      const moderator = await join('m', 'moderator');
      const older = await join('g');
      const newer = await join('g');
      expect(older.closed).toBe(true);
      service.disconnected('g', older.id);
      await vi.advanceTimersByTimeAsync(GRACE_MS);
      expect(moderator.state.participants.find((view) => view.id === 'g')).toMatchObject({ connected: true });
      expect(newer.closed).toBe(false);
    });

    it('while the server stops, are expected back: nobody is removed and no conference ends', async () => {
      const { join, service, marks } = setUp({ moderatorLeaves: 'end' });
      const moderator = await join('m', 'moderator');
      const guest = await join('g');
      await service.stop();
      service.disconnected('m', moderator.id);
      await service.request('g', 'conference:leave', {});
      await vi.advanceTimersByTimeAsync(GRACE_MS * 2);
      expect(guest.closed).toBe(false);
      expect(ids(guest.state.participants)).toEqual(['m', 'g']);
      expect(marks.endedAt.size).toBe(0);
    });
  });

  describe('when the last moderator is gone', () => {
    async function moderatorDrops(settings: Partial<RoomSettings>) {
      const setup = setUp(settings);
      const moderator = await setup.join('m', 'moderator');
      const guest = await setup.join('g');
      await setup.service.request('m', 'moderator:admitAll', {});
      setup.service.disconnected('m', moderator.id);
      await vi.advanceTimersByTimeAsync(GRACE_MS);
      return { ...setup, guest };
    }

    it("'continue' lets the guests go on without a moderator", async () => {
      const { guest } = await moderatorDrops({ moderatorLeaves: 'continue' });
      expect(guest.state).toMatchObject({ self: { state: 'admitted' }, moderatorPresent: false });
      expect(guest.closed).toBe(false);
    });

    it("'end' ends the conference for the guests and marks it ended", async () => {
      const { guest, marks } = await moderatorDrops({ moderatorLeaves: 'end' });
      expect(guest.events.at(-1)).toEqual({ type: 'ended', reason: 'moderator-left' });
      expect(guest.closed).toBe(true);
      expect(marks.endedAt.has(ROOM)).toBe(true);
    });

    it("'back-to-waiting' sends the guests back to wait, and a returning moderator lets them in again even when admission is manual", async () => {
      const { guest, join } = await moderatorDrops({ moderatorLeaves: 'back-to-waiting', admission: 'manual' });
      expect(guest.events.at(-1)).toEqual({ type: 'waiting', moderatorPresent: false });
      expect(guest.state.self.state).toBe('waiting');
      await join('m', 'moderator');
      expect(guest.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 2 });
    });
  });

  describe("entries and exits (the callers' tones)", () => {
    const news = (connection: RecordingConnection) =>
      connection.events.filter((event) => ['someone-entered', 'someone-left', 'moderator-left'].includes(event.type)).map((event) => event.type);

    it('tells those inside, once, that others came in: a waiting room let in at once is one entry; the newcomers and those waiting hear nothing', async () => {
      const { join, service } = setUp({ admission: 'manual' });
      const moderator = await join('m', 'moderator');
      const inside = await join('i');
      await service.request('m', 'moderator:admit', { participantId: 'i' });
      const waiting = await Promise.all(['a', 'b', 'c'].map((pid) => join(pid)));
      expect(news(moderator)).toEqual(['someone-entered']);
      await service.request('m', 'moderator:admitAll', {});
      expect(news(moderator)).toEqual(['someone-entered', 'someone-entered']);
      expect(news(inside)).toEqual(['someone-entered']);
      for (const connection of waiting) expect(news(connection)).toEqual([]);
    });

    it('tells those inside that one left (not for someone who only waited), and nobody anything with the tones off', async () => {
      for (const entryExitTones of [true, false]) {
        const { join, service } = setUp({ entryExitTones, admission: 'manual' });
        const moderator = await join('m', 'moderator');
        const guest = await join('g');
        await join('w');
        await service.request('m', 'moderator:admit', { participantId: 'g' });
        await service.request('w', 'conference:leave', {});
        await service.request('g', 'conference:leave', {});
        expect(news(moderator)).toEqual(entryExitTones ? ['someone-entered', 'someone-left'] : []);
        expect(news(guest)).toEqual([]);
      }
    });

    it('says the last moderator left to those inside when the conference goes on, instead of an exit', async () => {
      const { join, service } = setUp({ moderatorLeaves: 'continue' });
      await join('m', 'moderator');
      const guest = await join('g');
      await service.request('m', 'conference:leave', {});
      expect(news(guest)).toEqual(['moderator-left']);
    });
  });

  it('tells the admitted participants, not those waiting, to set up media again when the media server rebuilt the room', async () => {
    const { join, resetMedia } = setUp({ admission: 'manual' });
    const moderator = await join('m', 'moderator');
    const waiting = await join('w');
    resetMedia();
    expect(moderator.events.at(-1)).toEqual({ type: 'media-reset' });
    expect(waiting.events.some((event) => event.type === 'media-reset')).toBe(false);
  });

  describe('room ownership (several nodes)', () => {
    it('seats nobody in a room another node runs, and says where it runs', async () => {
      const { join, ownership, service } = setUp();
      ownership.elsewhere = 'http://node-b.example:3000';
      await expect(join('g')).rejects.toMatchObject({ code: 'ROOM_ON_OTHER_NODE', nodeUrl: 'http://node-b.example:3000' });
      await expect(service.claim(ROOM)).rejects.toMatchObject({ code: 'ROOM_ON_OTHER_NODE' });
    });

    it('frees the room when its conference closes, not before', async () => {
      const { join, ownership, service } = setUp();
      await join('m', 'moderator');
      await join('g');
      await service.request('g', 'conference:leave', {});
      expect(ownership.released).toEqual([]);
      await service.request('m', 'conference:leave', {});
      expect(ownership.released).toEqual([ROOM]);
    });

    it('keeps a record of the conference while it runs, which the next node opens it with, and drops it when it ends', async () => {
      const first = setUp({ admission: 'manual', moderatorLeaves: 'end' });
      await first.join('m', 'moderator');
      await first.join('g');
      await first.service.request('m', 'moderator:admit', { participantId: 'g' });
      await first.service.request('m', 'moderator:mute', { participantId: 'g' });
      await first.service.stop();
      // The next node: same marks and records, another process.
      const next = setUp({ admission: 'manual', moderatorLeaves: 'end' }, first.marks, new FakeOwnership(), first.records);
      const guest = await next.join('g');
      expect(guest.events).toEqual([{ type: 'waiting', moderatorPresent: false }]);
      await next.join('m', 'moderator');
      expect(guest.events.at(-1)).toEqual({ type: 'admitted', from: 'waiting', participantCount: 2 });
      expect(guest.state.self).toMatchObject({ state: 'admitted', mutedByModerator: true });
      await next.service.request('g', 'conference:leave', {});
      await next.service.request('m', 'conference:leave', {});
      expect(first.records.stored.size).toBe(0);
    });

    it("applies the room's leave policy on the next node when a moved conference's moderator is not back within the grace period", async () => {
      const first = setUp({ moderatorLeaves: 'end' });
      await first.join('m', 'moderator');
      await first.join('g');
      await first.service.stop();
      const next = setUp({ moderatorLeaves: 'end' }, first.marks, new FakeOwnership(), first.records);
      const guest = await next.join('g');
      expect(guest.events).toEqual([{ type: 'waiting', moderatorPresent: false }]);
      await vi.advanceTimersByTimeAsync(GRACE_MS);
      expect(guest.events.at(-1)).toEqual({ type: 'ended', reason: 'moderator-left' });
      // A moderator back in time keeps it going.
      const third = setUp({ moderatorLeaves: 'end' }, new InMemoryConferenceMarks(), new FakeOwnership(), first.records);
      first.records.save(ROOM, () => ({
        screeningNewcomers: false,
        admittedBefore: ['m', 'g'],
        order: ['m', 'g'],
        standings: {
          m: { moderator: true, inside: true, mutedByModerator: false, attributes: {} },
          g: { moderator: false, inside: true, mutedByModerator: false, attributes: {} },
        },
      }));
      const again = await third.join('g');
      await third.join('m', 'moderator');
      await vi.advanceTimersByTimeAsync(GRACE_MS);
      expect(again.events.some((event) => event.type === 'ended')).toBe(false);
    });

    it('frees every room as the server stops, before any connection closes', async () => {
      const { join, ownership, service } = setUp();
      const moderator = await join('m', 'moderator');
      await service.stop();
      expect(ownership.released).toEqual(['all']);
      expect(moderator.closed).toBe(false);
    });

    it('gives a room up without ending it when another node took it: everyone is told it moved and let go', async () => {
      const { join, ownership, service } = setUp();
      const moderator = await join('m', 'moderator');
      const guest = await join('g');
      ownership.lose(ROOM);
      for (const connection of [moderator, guest]) {
        expect(connection.events.at(-1)).toEqual({ type: 'moved' });
        expect(connection.closed).toBe(true);
      }
      expect(ownership.released).toEqual([]);
      await expect(service.request('g', 'conference:leave', {})).rejects.toMatchObject({ code: 'CONFERENCE_TOKEN_INVALID' });
    });
  });
});
