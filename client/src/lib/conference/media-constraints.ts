import type { Problem } from '#lib/i18n.svelte.js';

/** Opus with discontinuous transmission (silence costs almost nothing) and in-band error correction. */
export const MICROPHONE_CODEC_OPTIONS = { opusDtx: true, opusFec: true } as const;

/**
 * Camera video as three VP8 simulcast layers (quarter, half and full resolution): the server
 * forwards each receiver the layer that fits its tile and its bandwidth.
 */
export const CAMERA_ENCODINGS = [
  { scaleResolutionDownBy: 4, maxBitrate: 100_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];
export const CAMERA_CODEC_OPTIONS = { videoGoogleStartBitrate: 1000 } as const;

/** A shared screen is mostly still text: one sharp layer. */
export const SCREEN_ENCODINGS = [{ maxBitrate: 1_500_000 }];

/**
 * `ideal` for a remembered device (gone? the default does); `exact` for one chosen in the call,
 * where the browser would otherwise keep the device already open.
 */
export type DeviceMatch = 'ideal' | 'exact';

const deviceConstraint = (deviceId: string | null, match: DeviceMatch) => (deviceId ? { deviceId: { [match]: deviceId } } : {});

export function microphoneConstraints(deviceId: string | null, match: DeviceMatch = 'ideal'): MediaTrackConstraints {
  return {
    ...deviceConstraint(deviceId, match),
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  };
}

export function cameraConstraints(deviceId: string | null, match: DeviceMatch = 'ideal'): MediaTrackConstraints {
  return {
    ...deviceConstraint(deviceId, match),
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { ideal: 30, max: 30 },
  };
}

/** Camera and microphone need a secure context (https, or localhost) and a browser with WebRTC. */
export function mediaDevicesAvailable(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia && typeof RTCPeerConnection !== 'undefined';
}

/** What to tell the user when getUserMedia or getDisplayMedia failed. */
export function mediaProblem(error: unknown): Problem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return { key: 'ui.media.denied' };
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return { key: 'ui.media.notFound' };
  return { key: 'ui.media.failed' };
}

export interface OpenedTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  /** Why a requested kind is missing. */
  problem: Problem | null;
}

/**
 * Opens microphone and/or camera with one permission prompt; if both together fail (one device
 * missing or busy), tries each alone so the other still works.
 */
export async function openTracks(audio: MediaTrackConstraints | false, video: MediaTrackConstraints | false): Promise<OpenedTracks> {
  if (!mediaDevicesAvailable()) return { audio: null, video: null, problem: { key: 'ui.media.unsupported' } };
  if (!audio && !video) return { audio: null, video: null, problem: null };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio, video });
    return { audio: stream.getAudioTracks()[0] ?? null, video: stream.getVideoTracks()[0] ?? null, problem: null };
  } catch (error) {
    if (!audio || !video) return { audio: null, video: null, problem: mediaProblem(error) };
    if ((error as { name?: string }).name === 'NotAllowedError') {
      return { audio: null, video: null, problem: mediaProblem(error) };
    }
  }
  const opened: OpenedTracks = { audio: null, video: null, problem: null };
  for (const kind of ['audio', 'video'] as const) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(kind === 'audio' ? { audio } : { video });
      opened[kind] = stream.getTracks()[0] ?? null;
    } catch (error) {
      opened.problem ??= mediaProblem(error);
    }
  }
  return opened;
}
