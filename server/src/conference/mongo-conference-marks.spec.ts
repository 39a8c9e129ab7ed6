import type { Model } from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { ConferenceMark } from './conference-mark.schema';
import { MongoConferenceMarks } from './mongo-conference-marks';

const TTL = 60_000;
const config = { conference: { tokenTtlMs: TTL } } as AppConfig;
const done = <T>(value: T) => ({ exec: async () => value, lean: () => ({ exec: async () => value }) });

/** Just enough of a mongoose model: every write succeeds, or none does (the database is down). */
function fakeModel(stored: Array<{ key: string; kind: string; at: Date }> = [], down = false) {
  const write = () => ({ exec: () => (down ? new Promise(() => undefined) : Promise.resolve({})) });
  return {
    find: () => done(stored),
    updateOne: write,
    updateMany: write,
    deleteOne: write,
    deleteMany: write,
  } as unknown as Model<ConferenceMark>;
}

const claims = (pid: string, iat: number) => ({ room: '12345678', pid, role: 'participant' as const, name: 'x', iat, exp: iat + TTL });

describe('MongoConferenceMarks', () => {
  it('answers from what it loaded at start, and forgets marks older than a token lifetime', async () => {
    const now = Date.now();
    const marks = new MongoConferenceMarks(
      fakeModel([
        { key: 'removed:anna', kind: 'removed', at: new Date(now - 1_000) },
        { key: 'removed:old', kind: 'removed', at: new Date(now - TTL - 1_000) },
        { key: 'ended:12345678', kind: 'ended', at: new Date(now - 5_000) },
        { key: 'locked:87654321', kind: 'locked', at: new Date(now - 1_000) },
      ]),
      config,
    );
    await marks.onModuleInit();
    expect(await marks.admits(claims('anna', now))).toBe(false);
    expect(await marks.admits(claims('old', now))).toBe(true);
    expect(await marks.admits(claims('ben', now - 10_000))).toBe(false);
    expect(await marks.admits(claims('ben', now - 1_000))).toBe(true);
    expect(await marks.isLocked('87654321')).toBe(true);
    expect(await marks.isLocked('87654321', now + TTL + 1)).toBe(false);
  });

  it('keeps a confirmed lock, and lifts it on request', async () => {
    const marks = new MongoConferenceMarks(fakeModel(), config);
    await marks.setLocked('87654321', true);
    const later = Date.now() + TTL - 1_000;
    await marks.confirmLocked(['87654321'], later);
    expect(await marks.isLocked('87654321', later + TTL - 1_000)).toBe(true);
    await marks.setLocked('87654321', false);
    expect(await marks.isLocked('87654321')).toBe(false);
  });

  it('refuses with SERVICE_UNAVAILABLE when a mark cannot be stored, and does not pretend it was', { timeout: 10_000 }, async () => {
    const marks = new MongoConferenceMarks(fakeModel([], true), config);
    await expect(marks.markRemoved('12345678', 'anna')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await marks.admits(claims('anna', Date.now()))).toBe(true);
  });
});
