/** How many columns and rows the video grid uses, and the size each tile gets. */
export interface GridLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

/**
 * The grid that makes `count` tiles of the given aspect ratio as large as possible inside a
 * `width` × `height` area with `gap` pixels between them. Before the area is measured (0 × 0),
 * a near-square grid.
 */
export function gridLayout(count: number, width: number, height: number, aspectRatio = 16 / 9, gap = 0): GridLayout {
  if (count <= 0) return { columns: 1, rows: 0, tileWidth: 0, tileHeight: 0 };
  if (width <= 0 || height <= 0) {
    const columns = Math.ceil(Math.sqrt(count));
    return { columns, rows: Math.ceil(count / columns), tileWidth: 0, tileHeight: 0 };
  }
  let best: GridLayout = { columns: 1, rows: count, tileWidth: -1, tileHeight: -1 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    const tileWidth = Math.min(cellWidth, cellHeight * aspectRatio);
    // Strictly larger: with equal sizes the grid with fewer columns (fewer empty cells) wins.
    if (tileWidth > best.tileWidth) {
      best = { columns, rows, tileWidth: Math.floor(tileWidth), tileHeight: Math.floor(tileWidth / aspectRatio) };
    }
  }
  return best.tileWidth < 0 ? { columns: 1, rows: count, tileWidth: 0, tileHeight: 0 } : best;
}
