import { describe, expect, it } from 'vitest';
import { tilePage } from './tile-pages';

describe('tilePage', () => {
  it('cuts the tiles into pages and keeps the page within them', () => {
    const tiles = Array.from({ length: 7 }, (_, i) => i);
    expect(tilePage(tiles, 0, 3)).toEqual({ tiles: [0, 1, 2], page: 0, pages: 3 });
    expect(tilePage(tiles, 2, 3)).toEqual({ tiles: [6], page: 2, pages: 3 });
    // Fewer tiles than before (people left): the last page there is.
    expect(tilePage(tiles.slice(0, 4), 2, 3)).toEqual({ tiles: [3], page: 1, pages: 2 });
    expect(tilePage([], 0, 3)).toEqual({ tiles: [], page: 0, pages: 1 });
  });
});
