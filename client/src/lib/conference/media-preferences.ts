import type { KeyValueStorage } from './join-storage';

/** What the device check remembers for the next conference (in localStorage, per browser). */
export interface MediaPreferences {
  /** deviceId of the chosen microphone and camera; null: the browser's default. */
  microphoneId: string | null;
  cameraId: string | null;
  /** deviceId of the chosen speaker (where the browser can choose one); null: the default. */
  speakerId: string | null;
  joinMuted: boolean;
  cameraOff: boolean;
  /** The name typed last time, to prefill the join form. */
  displayName: string;
}

export const MEDIA_PREFERENCES_KEY = 'konferenz.media';

export const DEFAULT_MEDIA_PREFERENCES: MediaPreferences = {
  microphoneId: null,
  cameraId: null,
  speakerId: null,
  joinMuted: false,
  cameraOff: false,
  displayName: '',
};

function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

const stringOrNull = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

export function loadMediaPreferences(storage: KeyValueStorage | null = browserStorage()): MediaPreferences {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(MEDIA_PREFERENCES_KEY) ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) stored = parsed as Record<string, unknown>;
  } catch {
    stored = {};
  }
  return {
    microphoneId: stringOrNull(stored.microphoneId),
    cameraId: stringOrNull(stored.cameraId),
    speakerId: stringOrNull(stored.speakerId),
    joinMuted: stored.joinMuted === true,
    cameraOff: stored.cameraOff === true,
    displayName: typeof stored.displayName === 'string' ? stored.displayName.slice(0, 40) : '',
  };
}

export function saveMediaPreferences(preferences: MediaPreferences, storage: KeyValueStorage | null = browserStorage()): void {
  try {
    storage?.setItem(MEDIA_PREFERENCES_KEY, JSON.stringify(preferences));
  } catch {
    // not remembered
  }
}
