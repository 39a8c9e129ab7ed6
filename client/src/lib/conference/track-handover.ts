/** Tracks a page hands to the next one. */
export interface HandedTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}

/** Tracks nobody takes within this long are stopped (a guest left waiting keeps no camera on). */
const UNCLAIMED_MS = 5_000;

let handed: HandedTracks | null = null;
let discardTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * The device check's tracks, handed to the conference page it opens (a navigation inside the same
 * document), so that the conference does not open microphone and camera a second time: one
 * getUserMedia less on the way to the first sound (about 55 ms in bench:join). Taken once.
 */
export function handOverTracks(tracks: HandedTracks): void {
  discardHandedTracks();
  handed = tracks;
  discardTimer = setTimeout(discardHandedTracks, UNCLAIMED_MS);
}

export function takeHandedTracks(): HandedTracks | null {
  clearTimeout(discardTimer);
  const taken = handed;
  handed = null;
  // A track that ended meanwhile (device unplugged) is of no use.
  return taken && { audio: live(taken.audio), video: live(taken.video) };
}

function live(track: MediaStreamTrack | null): MediaStreamTrack | null {
  return track?.readyState === 'live' ? track : null;
}

function discardHandedTracks(): void {
  clearTimeout(discardTimer);
  handed?.audio?.stop();
  handed?.video?.stop();
  handed = null;
}
