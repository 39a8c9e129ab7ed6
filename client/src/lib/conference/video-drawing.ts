import type { Attachment } from 'svelte/attachments';

/** What decides whether a <video> shows a picture: its own state and its track's. */
export interface DrawingState {
  /** HTMLMediaElement.readyState: HAVE_CURRENT_DATA (2) or more means a frame is there to draw. */
  readyState: number;
  videoWidth: number;
  /** A remote track is muted while no packets arrive (just created, the sender gone or reloading). */
  trackMuted: boolean;
  trackEnded: boolean;
}

const HAVE_CURRENT_DATA = 2;

/**
 * Whether the video draws a picture. Until it does, the tile shows the name placeholder: a <video>
 * with a track but no frame yet is an empty black box (seen for 5 s+ after a guest's reload).
 */
export function isDrawing(state: DrawingState): boolean {
  return state.readyState >= HAVE_CURRENT_DATA && state.videoWidth > 0 && !state.trackMuted && !state.trackEnded;
}

const ELEMENT_EVENTS = ['loadeddata', 'playing', 'resize', 'emptied', 'waiting'] as const;
const TRACK_EVENTS = ['mute', 'unmute', 'ended'] as const;

/** Reports whether the <video> draws `track` whenever that may have changed; false once removed. */
export function watchDrawing(track: MediaStreamTrack, report: (drawing: boolean) => void): Attachment<HTMLVideoElement> {
  return (element) => {
    const check = () =>
      report(isDrawing({ readyState: element.readyState, videoWidth: element.videoWidth, trackMuted: track.muted, trackEnded: track.readyState === 'ended' }));
    for (const name of ELEMENT_EVENTS) element.addEventListener(name, check);
    for (const name of TRACK_EVENTS) track.addEventListener(name, check);
    check();
    return () => {
      for (const name of ELEMENT_EVENTS) element.removeEventListener(name, check);
      for (const name of TRACK_EVENTS) track.removeEventListener(name, check);
      report(false);
    };
  };
}
