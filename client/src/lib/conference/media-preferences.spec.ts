import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_PREFERENCES, loadMediaPreferences, MEDIA_PREFERENCES_KEY, saveMediaPreferences } from './media-preferences';

function storage(initial?: string) {
  const items = new Map<string, string>(initial === undefined ? [] : [[MEDIA_PREFERENCES_KEY, initial]]);
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('media preferences', () => {
  it('defaults to microphone and camera on, default devices', () => {
    expect(loadMediaPreferences(storage())).toEqual(DEFAULT_MEDIA_PREFERENCES);
    expect(loadMediaPreferences(null)).toEqual(DEFAULT_MEDIA_PREFERENCES);
  });

  it('round-trips', () => {
    const store = storage();
    const preferences = { microphoneId: 'mic-2', cameraId: 'cam-1', speakerId: 'out-2', joinMuted: true, cameraOff: false, displayName: 'Anna' };
    saveMediaPreferences(preferences, store);
    expect(loadMediaPreferences(store)).toEqual(preferences);
  });

  it('keeps only well-formed values of a tampered or old entry', () => {
    const store = storage(JSON.stringify({ microphoneId: 7, cameraId: '', joinMuted: 'yes', cameraOff: true, displayName: 'x'.repeat(99) }));
    expect(loadMediaPreferences(store)).toEqual({
      microphoneId: null,
      cameraId: null,
      speakerId: null,
      joinMuted: false,
      cameraOff: true,
      displayName: 'x'.repeat(40),
    });
    expect(loadMediaPreferences(storage('[broken'))).toEqual(DEFAULT_MEDIA_PREFERENCES);
  });
});
