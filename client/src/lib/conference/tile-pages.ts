/** Tiles per page of the video grid: a 5 × 5 grid at most, which stays legible on a laptop. */
export const TILES_PER_PAGE = 25;

/** The tiles of one page (the page number clamped to the pages there are), and how many pages. */
export function tilePage<T>(tiles: readonly T[], page: number, perPage = TILES_PER_PAGE): { tiles: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(tiles.length / perPage));
  const current = Math.min(Math.max(0, page), pages - 1);
  return { tiles: tiles.slice(current * perPage, (current + 1) * perPage), page: current, pages };
}
