/**
 * The largest frame each lower spatial layer carries, for a 1280x720 camera
 * sent as three simulcast encodings scaled down by 4, 2 and 1. A tile bigger
 * than every entry gets the top layer.
 */
const LAYER_FRAMES: ReadonlyArray<{ width: number; height: number }> = [
  { width: 320, height: 180 },
  { width: 640, height: 360 },
];

/**
 * The spatial layer a consumer should receive for a tile of `width` x `height`
 * pixels: the lowest layer whose frame covers the tile in both dimensions,
 * capped at what the producer sends (`spatialLayers`, at least 1).
 */
export function spatialLayerForTile(width: number, height: number, spatialLayers: number): number {
  const top = Math.max(spatialLayers, 1) - 1;
  const fitting = LAYER_FRAMES.findIndex((frame) => width <= frame.width && height <= frame.height);
  return Math.min(fitting === -1 ? LAYER_FRAMES.length : fitting, top);
}

/**
 * Number of spatial layers in a scalability mode such as 'S3T3' (simulcast)
 * or 'L3T3_KEY' (SVC); 1 when absent or not understood.
 */
export function spatialLayerCount(scalabilityMode: string | undefined): number {
  const match = /^[LS]([1-9]\d*)T[1-9]\d*/.exec(scalabilityMode ?? '');
  return match ? Number(match[1]) : 1;
}
