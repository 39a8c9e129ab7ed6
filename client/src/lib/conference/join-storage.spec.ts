import type { JoinResponse } from '@konferenz/shared';
import { describe, expect, it } from 'vitest';
import { clearJoin, JOIN_STORAGE_KEY, readJoin, saveJoin, type KeyValueStorage } from './join-storage';

class MemoryStorage implements KeyValueStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const NOW = Date.parse('2026-11-20T10:00:00Z');

function join(expiresAt: string): JoinResponse {
  return { token: 'tok', roomNumber: '47110815', participantId: 'p1', role: 'participant', displayName: 'Anna', expiresAt };
}

describe('join storage', () => {
  it('reads back a saved, unexpired join', () => {
    const storage = new MemoryStorage();
    const saved = join('2026-11-20T12:00:00Z');
    saveJoin(saved, storage);
    expect(readJoin(NOW, storage)).toEqual({ status: 'valid', join: saved });
  });

  it('treats an expired token (or one about to expire) as expired, removes it and keeps the room number', () => {
    for (const expiresAt of ['2026-11-20T09:59:00Z', '2026-11-20T10:00:03Z']) {
      const storage = new MemoryStorage();
      saveJoin(join(expiresAt), storage);
      expect(readJoin(NOW, storage)).toEqual({ status: 'expired', roomNumber: '47110815' });
      expect(storage.items.has(JOIN_STORAGE_KEY)).toBe(false);
    }
  });

  it('treats nothing, garbage and foreign shapes as no join', () => {
    const storage = new MemoryStorage();
    expect(readJoin(NOW, storage)).toEqual({ status: 'none' });
    storage.setItem(JOIN_STORAGE_KEY, '{not json');
    expect(readJoin(NOW, storage)).toEqual({ status: 'none' });
    storage.setItem(JOIN_STORAGE_KEY, JSON.stringify({ ...join('2026-11-20T12:00:00Z'), role: 'admin' }));
    expect(readJoin(NOW, storage)).toEqual({ status: 'none' });
    expect(storage.items.has(JOIN_STORAGE_KEY)).toBe(false);
  });

  it('treats an unreadable expiry as expired', () => {
    const storage = new MemoryStorage();
    saveJoin(join('soon'), storage);
    expect(readJoin(NOW, storage).status).toBe('expired');
  });

  it('clears', () => {
    const storage = new MemoryStorage();
    saveJoin(join('2026-11-20T12:00:00Z'), storage);
    clearJoin(storage);
    expect(readJoin(NOW, storage)).toEqual({ status: 'none' });
  });

  it('works without storage (disabled by the browser)', () => {
    expect(() => saveJoin(join('2026-11-20T12:00:00Z'), null)).not.toThrow();
    expect(readJoin(NOW, null)).toEqual({ status: 'none' });
  });
});
