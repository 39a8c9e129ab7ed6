import { describe, expect, it } from 'vitest';
import { loadLayoutMode, saveLayoutMode } from './layout-preference';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

describe('layout preference', () => {
  it('remembers the chosen view, grid without a choice', () => {
    const storage = memoryStorage();
    expect(loadLayoutMode(storage)).toBe('grid');
    saveLayoutMode('speaker', storage);
    expect(loadLayoutMode(storage)).toBe('speaker');
    saveLayoutMode('grid', storage);
    expect(loadLayoutMode(storage)).toBe('grid');
  });

  it('treats anything unknown as grid, and a blocked storage as no choice', () => {
    expect(loadLayoutMode({ getItem: () => 'mosaic' })).toBe('grid');
    const blocked = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(loadLayoutMode(blocked)).toBe('grid');
    expect(() => saveLayoutMode('speaker', blocked)).not.toThrow();
  });
});
