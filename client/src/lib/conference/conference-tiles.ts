import type { ConferenceRole, ParticipantView } from '@konferenz/shared';
import { isHandRaised } from './raised-hands';
import type { RemoteMedia } from './remote-media';
import { camerasShown } from './video-last-n';

/** One tile of the video grid: a participant's camera (or their name when there is no video), or a shared screen. */
export interface TileView {
  /** Stable across updates: `camera:<participantId>` or `screen:<participantId>`. */
  key: string;
  participantId: string;
  displayName: string;
  role: ConferenceRole;
  via: 'browser' | 'phone';
  source: 'camera' | 'screen';
  isSelf: boolean;
  /** The video to show; null shows the name instead. */
  track: MediaStreamTrack | null;
  /** The remote video's consumer, whose rendered size is reported to the server. */
  consumerId: string | null;
  muted: boolean;
  speaking: boolean;
  /** Shown on the camera tile only, like speaking: it belongs to the person. */
  handRaised: boolean;
}

export interface TileInputs {
  /** Admitted participants, self included, in the server's order. */
  participants: readonly ParticipantView[];
  selfId: string;
  remote: readonly RemoteMedia[];
  localCamera: MediaStreamTrack | null;
  localScreen: MediaStreamTrack | null;
  /** Whether the own microphone sends nothing (muted, or no microphone at all). */
  selfMuted: boolean;
  activeSpeakerId: string | null;
  /** Others who spoke, last first (see video-last-n.ts). */
  recentSpeakers: readonly string[];
  /** How many others' cameras are shown at once. */
  videoLastN: number;
}

/**
 * Shared screens first (they carry the content), then everyone's camera tile: those showing video
 * (the own camera, and the last `videoLastN` speakers') before the name tiles, each group in the
 * server's order, so a paged grid starts with the video.
 */
export function buildTiles(inputs: TileInputs): TileView[] {
  const { participants, selfId, remote, localCamera, localScreen, selfMuted, activeSpeakerId } = inputs;
  const videoOf = (participantId: string, source: 'camera' | 'screen') =>
    remote.find((media) => media.kind === 'video' && media.participantId === participantId && media.source === source);
  const withCamera = participants.filter(({ id }) => id !== selfId && videoOf(id, 'camera')).map(({ id }) => id);
  const shown = camerasShown(withCamera, inputs.recentSpeakers, inputs.videoLastN);

  const screens: TileView[] = [];
  const cameras: TileView[] = [];
  for (const participant of participants) {
    const isSelf = participant.id === selfId;
    const base = {
      participantId: participant.id,
      displayName: participant.displayName,
      role: participant.role,
      via: participant.via,
      isSelf,
      muted: isSelf ? selfMuted : participant.microphone !== 'on',
      speaking: participant.id === activeSpeakerId,
      handRaised: isHandRaised(participant.attributes),
    };

    const camera = isSelf ? null : videoOf(participant.id, 'camera');
    cameras.push({
      ...base,
      key: `camera:${participant.id}`,
      source: 'camera',
      track: isSelf ? localCamera : camera && !camera.paused && shown.has(participant.id) ? camera.track : null,
      consumerId: camera?.consumerId ?? null,
    });

    const screen = isSelf ? null : videoOf(participant.id, 'screen');
    const screenTrack = isSelf ? localScreen : screen && !screen.paused ? screen.track : null;
    if (screenTrack || screen) {
      screens.push({
        ...base,
        key: `screen:${participant.id}`,
        source: 'screen',
        // the highlight and the hand belong to the person, on their camera tile
        speaking: false,
        handRaised: false,
        track: screenTrack,
        consumerId: screen?.consumerId ?? null,
      });
    }
  }
  const showsVideo = (tile: TileView) => tile.isSelf || shown.has(tile.participantId);
  return [...screens, ...cameras.filter(showsVideo), ...cameras.filter((tile) => !showsVideo(tile))];
}
