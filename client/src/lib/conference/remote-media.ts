import type { MediaSource } from '@konferenz/shared';

/** One track received from another participant (a mediasoup consumer), as the UI sees it. */
export interface RemoteMedia {
  consumerId: string;
  participantId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  /** Paused at the sender (muted, camera off) or by the server: nothing to show or play. */
  paused: boolean;
}
