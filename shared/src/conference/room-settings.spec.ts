import { describe, expect, it } from 'vitest';
import { isCatalogueKey } from '../i18n/translate';
import { DEFAULT_ROOM_SETTINGS, roomSettingsSchema, withDefaultRoomSettings } from './room-settings';

const base = { admission: 'all-on-moderator', moderatorLeaves: 'continue' } as const;
const problems = (muteOnEntry: unknown) =>
  roomSettingsSchema.safeParse({ ...base, muteOnEntry }).error?.issues.map((issue) => [issue.path.join('.'), issue.message]);

describe('roomSettingsSchema: muteOnEntry', () => {
  it('takes off, all, and after 1 to 99 guests', () => {
    for (const muteOnEntry of [{ mode: 'off' }, { mode: 'all' }, { mode: 'after', guests: 1 }, { mode: 'after', guests: 99 }]) {
      expect(roomSettingsSchema.parse({ ...base, muteOnEntry }).muteOnEntry).toEqual(muteOnEntry);
    }
  });

  it('means off when a client leaves it out (clients written before it existed)', () => {
    expect(roomSettingsSchema.parse(base)).toEqual(DEFAULT_ROOM_SETTINGS);
  });

  it('refuses a count outside 1..99, a fraction, text or none, naming the count with a catalogue key', () => {
    for (const guests of [0, 100, 2.5, '3', undefined, -1]) {
      expect(problems({ mode: 'after', guests })).toEqual([['muteOnEntry.guests', 'validation.muteOnEntry.guests']]);
    }
    expect(isCatalogueKey('validation.muteOnEntry.guests')).toBe(true);
  });

  it('refuses an unknown mode or a malformed value as invalid', () => {
    expect(problems({ mode: 'some' })?.[0]?.[1]).toBe('validation.invalid');
    expect(problems('all')?.[0]?.[1]).toBe('validation.invalid');
    expect(problems({ $ne: null })?.[0]?.[1]).toBe('validation.invalid');
  });

  it('drops a count that belongs to no mode', () => {
    expect(roomSettingsSchema.parse({ ...base, muteOnEntry: { mode: 'all', guests: 5 } }).muteOnEntry).toEqual({ mode: 'all' });
  });
});

describe('withDefaultRoomSettings', () => {
  it('gives a room stored before mute on entry existed the default, and keeps what was stored', () => {
    expect(withDefaultRoomSettings({ admission: 'manual', moderatorLeaves: 'end' })).toEqual({
      admission: 'manual',
      moderatorLeaves: 'end',
      muteOnEntry: { mode: 'off' },
      entryExitTones: true,
    });
    expect(withDefaultRoomSettings(undefined)).toEqual(DEFAULT_ROOM_SETTINGS);
  });
});

describe('roomSettingsSchema: entryExitTones', () => {
  it('takes entry and exit tones on or off, and on when a client leaves them out', () => {
    expect(roomSettingsSchema.parse({ admission: 'manual', moderatorLeaves: 'end', entryExitTones: false })).toMatchObject({ entryExitTones: false });
    expect(roomSettingsSchema.parse({ admission: 'manual', moderatorLeaves: 'end' })).toMatchObject({ entryExitTones: true });
    expect(DEFAULT_ROOM_SETTINGS.entryExitTones).toBe(true);
  });

  it('refuses tones that are not a boolean', () => {
    const result = roomSettingsSchema.safeParse({ ...DEFAULT_ROOM_SETTINGS, entryExitTones: 'yes' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['entryExitTones'], message: 'validation.invalid' });
  });
});
