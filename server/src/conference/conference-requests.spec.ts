import { conferenceRequestSchemas, DEFAULT_ROOM_SETTINGS } from '@konferenz/shared';
import { describe, expect, it, vi } from 'vitest';
import { Conference } from './conference';
import { ConferenceChat } from './conference-chat';
import type { ConferenceMarks } from './conference-marks';
import { conferenceRequestTable, type ConferenceRequestPort } from './conference-request-table';
import { dispatchRequest, type RequestHandlers } from './conference-requests';

function setUp() {
  const conference = new Conference('46792069', { ...DEFAULT_ROOM_SETTINGS, admission: 'manual' });
  conference.arrive({ id: 'm', displayName: 'M', role: 'moderator', via: 'browser' });
  conference.arrive({ id: 'g', displayName: 'G', role: 'participant', via: 'phone' });
  const marks = { markEnded: vi.fn(async () => undefined), setLocked: vi.fn(async () => undefined) } as unknown as ConferenceMarks;
  const port: ConferenceRequestPort = {
    marks,
    mediaOf: vi.fn(async () => {
      throw new Error('no media in this test');
    }),
    mute: vi.fn(async () => undefined),
    remove: vi.fn(async () => undefined),
    end: vi.fn(async () => undefined),
    broadcast: vi.fn(),
    admitted: vi.fn(),
    leave: vi.fn(async () => undefined),
    deliverChat: vi.fn(),
    invitation: vi.fn(async (roomNumber: string) => ({ roomNumber, joinUrl: `https://k.example/join?room=${roomNumber}`, forModerators: null })),
  };
  const live = { conference, chat: new ConferenceChat() };
  const context = (id: string) => ({ live, participant: conference.find(id)! });
  return { conference, port, table: conferenceRequestTable(port), context };
}

describe('the conference request table', () => {
  it('has a handler for every request name of the shared protocol, and no other', () => {
    expect(Object.keys(setUp().table).sort()).toEqual(Object.keys(conferenceRequestSchemas).sort());
  });

  it("refuses moderators' requests to participants before their handler runs", async () => {
    const { table, context, port } = setUp();
    await expect(dispatchRequest(table, 'moderator:setLocked', context('g'), { locked: true })).rejects.toMatchObject({ code: 'MODERATOR_ONLY' });
    expect(port.marks.setLocked).not.toHaveBeenCalled();
    await dispatchRequest(table, 'moderator:setLocked', context('m'), { locked: true });
    expect(port.marks.setLocked).toHaveBeenCalledWith('46792069', true);
  });

  it('keeps media requests from participants still waiting, and lets them leave', async () => {
    const { table, context, port } = setUp();
    await expect(dispatchRequest(table, 'media:rtpCapabilities', context('g'), {})).rejects.toMatchObject({ code: 'NOT_ADMITTED' });
    expect(port.mediaOf).not.toHaveBeenCalled();
    await expect(dispatchRequest(table, 'conference:leave', context('g'), {})).resolves.toEqual({});
    expect(port.leave).toHaveBeenCalledWith('g');
  });

  it('answers the invitation to admitted participants only, asking for it with their role', async () => {
    const { table, context, port, conference } = setUp();
    await expect(dispatchRequest(table, 'conference:invitation', context('g'), {})).rejects.toMatchObject({ code: 'NOT_ADMITTED' });
    expect(port.invitation).not.toHaveBeenCalled();
    conference.admit('g');
    await dispatchRequest(table, 'conference:invitation', context('g'), {});
    await dispatchRequest(table, 'conference:invitation', context('m'), {});
    expect(vi.mocked(port.invitation).mock.calls).toEqual([
      ['46792069', 'participant'],
      ['46792069', 'moderator'],
    ]);
  });

  it("lets admitted participants set their own attributes, and only moderators clear someone else's", async () => {
    const { table, context, port, conference } = setUp();
    await expect(dispatchRequest(table, 'participant:setAttributes', context('g'), { attributes: { hand: 'raised' } })).rejects.toMatchObject({
      code: 'NOT_ADMITTED',
    });
    conference.admit('g');
    await dispatchRequest(table, 'participant:setAttributes', context('g'), { attributes: { hand: 'raised', mood: 'ok' } });
    await dispatchRequest(table, 'participant:setAttributes', context('g'), { attributes: { mood: null } });
    expect(conference.find('g')!.attributes).toEqual({ hand: 'raised' });
    expect(port.broadcast).toHaveBeenCalledTimes(2);
    await expect(dispatchRequest(table, 'moderator:clearAttributes', context('g'), { participantId: 'g' })).rejects.toMatchObject({ code: 'MODERATOR_ONLY' });
    await dispatchRequest(table, 'moderator:clearAttributes', context('m'), { participantId: 'g' });
    expect(conference.find('g')!.attributes).toEqual({});
    expect(port.broadcast).toHaveBeenCalledTimes(3);
  });

  it('delivers chat messages from admitted participants only, and refuses them while a moderator has the chat off', async () => {
    const { table, context, port, conference } = setUp();
    await expect(dispatchRequest(table, 'chat:send', context('g'), { text: 'hallo' })).rejects.toMatchObject({ code: 'NOT_ADMITTED' });
    conference.admit('g');
    const { id } = await dispatchRequest(table, 'chat:send', context('g'), { text: 'hallo' });
    expect(port.deliverChat).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ id, senderId: 'g', senderName: 'G', text: 'hallo' }));
    await expect(dispatchRequest(table, 'moderator:setChatEnabled', context('g'), { enabled: false })).rejects.toMatchObject({ code: 'MODERATOR_ONLY' });
    await dispatchRequest(table, 'moderator:setChatEnabled', context('m'), { enabled: false });
    expect(conference.view('g', () => ({ microphone: 'none', camera: 'none', screen: false })).chatEnabled).toBe(false);
    await expect(dispatchRequest(table, 'chat:send', context('m'), { text: 'still?' })).rejects.toMatchObject({ code: 'CHAT_DISABLED' });
    expect(port.deliverChat).toHaveBeenCalledTimes(1);
    expect(conference.record().chatEnabled).toBe(false);
  });

  it('refuses empty and overlong chat messages in the protocol schema', () => {
    const schema = conferenceRequestSchemas['chat:send'];
    expect(schema.safeParse({ text: '   ' }).success).toBe(false);
    expect(schema.safeParse({ text: 'x'.repeat(1001) }).success).toBe(false);
    expect(schema.safeParse({ text: ' x '.repeat(333) }).data).toEqual({ text: ' x '.repeat(333).trim() });
    expect(schema.safeParse({ text: 42 }).success).toBe(false);
  });

  it('is checked by the compiler: a missing, unknown or wrongly guarded handler does not type-check', () => {
    const table = setUp().table;
    const { 'conference:leave': _leave, ...withoutLeave } = table;
    // @ts-expect-error a table without 'conference:leave' is incomplete
    const missing: RequestHandlers = withoutLeave;
    const unknown = {
      ...table,
      // @ts-expect-error no request of the shared protocol is called 'conference:dance'
      'conference:dance': { access: 'present', handle: async () => ({}) },
    } satisfies RequestHandlers;
    const unguarded = {
      ...table,
      // @ts-expect-error a moderator's request must be marked moderator-only
      'moderator:end': { access: 'present', handle: async () => ({}) },
    } satisfies RequestHandlers;
    const mistyped = {
      ...table,
      // @ts-expect-error a handler answers with its own request's response
      'media:produce': { access: 'admitted', handle: async () => ({}) },
    } satisfies RequestHandlers;
    expect([missing, unknown, unguarded, mistyped].every(Boolean)).toBe(true);
  });
});
