import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOM_SETTINGS, roomSettingsSchema } from './room-settings';

describe('roomSettingsSchema', () => {
  it('takes entry and exit tones on or off, and on when a client leaves them out', () => {
    expect(roomSettingsSchema.parse({ admission: 'manual', moderatorLeaves: 'end', entryExitTones: false })).toMatchObject({ entryExitTones: false });
    expect(roomSettingsSchema.parse({ admission: 'manual', moderatorLeaves: 'end' })).toEqual({ admission: 'manual', moderatorLeaves: 'end', entryExitTones: true });
    expect(DEFAULT_ROOM_SETTINGS.entryExitTones).toBe(true);
  });

  it('refuses tones that are not a boolean', () => {
    const result = roomSettingsSchema.safeParse({ ...DEFAULT_ROOM_SETTINGS, entryExitTones: 'yes' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['entryExitTones'], message: 'validation.invalid' });
  });
});
