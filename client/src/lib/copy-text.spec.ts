import { describe, expect, it, vi } from 'vitest';
import { copyText } from './copy-text';

describe('copyText', () => {
  it('writes the text to the clipboard and selects nothing', async () => {
    const writeText = vi.fn(async () => undefined);
    const field = { select: vi.fn() };
    expect(await copyText('Einladung', field, { writeText } as unknown as Clipboard)).toBe('copied');
    expect(writeText).toHaveBeenCalledWith('Einladung');
    expect(field.select).not.toHaveBeenCalled();
  });

  it('selects the text for copying by hand when the clipboard refuses, or when the origin has none', async () => {
    const refusing = { writeText: async () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')) } as unknown as Clipboard;
    for (const clipboard of [refusing, undefined]) {
      const field = { select: vi.fn() };
      expect(await copyText('Einladung', field, clipboard)).toBe('failed');
      expect(field.select).toHaveBeenCalledOnce();
    }
  });
});
