/**
 * Last-N: a browser shows the cameras of the N others who spoke last; everyone else is a name
 * tile, and since no video element draws their video, its consumer reports 0 × 0 and the server
 * stops forwarding it. Pure functions: the session keeps the order, buildTiles applies it.
 */

/** Who spoke last first: the new active speaker moves to the front (nobody speaking changes nothing). */
export function recentSpeakers(previous: readonly string[], speakerId: string | null): string[] {
  if (speakerId === null || previous[0] === speakerId) return previous as string[];
  return [speakerId, ...previous.filter((id) => id !== speakerId)];
}

/**
 * The participants, of `withCamera` (in the server's order), whose camera is shown: the last
 * speakers first, then the others in the server's order, `n` in all.
 */
export function camerasShown(withCamera: readonly string[], recent: readonly string[], n: number): Set<string> {
  const rank = (id: string) => {
    const index = recent.indexOf(id);
    return index === -1 ? recent.length : index;
  };
  const order = withCamera.map((id, position) => ({ id, position })).sort((a, b) => rank(a.id) - rank(b.id) || a.position - b.position);
  return new Set(order.slice(0, Math.max(0, n)).map(({ id }) => id));
}
