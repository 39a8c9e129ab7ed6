/**
 * Speaker view: one tile large, everyone else in a strip. Pure: the grid component keeps the
 * pin and the previous choice, and draws what this returns.
 */

/** What speaker view needs to know of a tile (a TileView has it all). */
export interface StageTile {
  key: string;
  source: 'camera' | 'screen';
  isSelf: boolean;
  speaking: boolean;
}

export interface StageChoice {
  /** The tile this browser pinned; it wins over everything while it is there. */
  pinnedKey: string | null;
  /** The tile shown large before, kept while nobody speaks (no jumping back and forth). */
  previousKey: string | null;
}

export interface SpeakerStage<T> {
  main: T | null;
  strip: T[];
}

/**
 * The large tile: the pinned one; else someone else's shared screen (it carries the content; one's
 * own would be a hall of mirrors); else whoever speaks (never oneself: one's own face large helps
 * nobody); else the one shown large before;
 * else the first other participant; else oneself. The strip keeps the tiles' order.
 */
export function speakerStage<T extends StageTile>(tiles: readonly T[], choice: StageChoice): SpeakerStage<T> {
  const byKey = (key: string | null) => (key === null ? undefined : tiles.find((tile) => tile.key === key));
  const main =
    byKey(choice.pinnedKey) ??
    sharedScreen(tiles) ??
    tiles.find((tile) => tile.speaking && !tile.isSelf) ??
    byKey(choice.previousKey) ??
    tiles.find((tile) => !tile.isSelf) ??
    tiles[0] ??
    null;
  return { main, strip: tiles.filter((tile) => tile !== main) };
}

/** The first screen someone else shares: shown large by default. */
export function sharedScreen<T extends StageTile>(tiles: readonly T[]): T | undefined {
  return tiles.find((tile) => tile.source === 'screen' && !tile.isSelf);
}
