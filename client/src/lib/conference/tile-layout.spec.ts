import { describe, expect, it } from 'vitest';
import { gridLayout } from './tile-layout';

describe('gridLayout', () => {
  it('gives one tile the whole width of a wide area, limited by its height', () => {
    expect(gridLayout(1, 1600, 900)).toEqual({ columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
    expect(gridLayout(1, 1600, 450)).toEqual({ columns: 1, rows: 1, tileWidth: 800, tileHeight: 450 });
  });

  it('puts two tiles side by side in a wide area and stacks them in a tall one', () => {
    expect(gridLayout(2, 1600, 600)).toMatchObject({ columns: 2, rows: 1, tileWidth: 800 });
    expect(gridLayout(2, 400, 900)).toMatchObject({ columns: 1, rows: 2, tileWidth: 400 });
  });

  it('uses a 2 × 2 grid for four tiles in a 16:9 area, 3 × 2 for five or six', () => {
    expect(gridLayout(4, 1600, 900)).toMatchObject({ columns: 2, rows: 2, tileWidth: 800, tileHeight: 450 });
    expect(gridLayout(5, 1600, 900)).toMatchObject({ columns: 3, rows: 2 });
    expect(gridLayout(6, 1600, 900)).toMatchObject({ columns: 3, rows: 2 });
  });

  it('leaves room for the gaps', () => {
    const layout = gridLayout(2, 1608, 900, 16 / 9, 8);
    expect(layout).toMatchObject({ columns: 2, tileWidth: 800 });
  });

  it('prefers fewer columns when the tile size is the same', () => {
    // 3 tiles in a very tall area: one column; more columns only make them smaller.
    expect(gridLayout(3, 320, 2000)).toMatchObject({ columns: 1, rows: 3, tileWidth: 320 });
  });

  it('falls back to a near-square grid before the area is measured, and to nothing for no tiles', () => {
    expect(gridLayout(5, 0, 0)).toEqual({ columns: 3, rows: 2, tileWidth: 0, tileHeight: 0 });
    expect(gridLayout(0, 800, 600)).toEqual({ columns: 1, rows: 0, tileWidth: 0, tileHeight: 0 });
  });
});
