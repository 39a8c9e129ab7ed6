import type { MediaSource } from '@konferenz/shared';
import type { Problem } from '#lib/i18n.svelte.js';
import { SpeakingWhileMutedDetector } from './audio-level';
import { cameraConstraints, mediaDevicesAvailable, mediaProblem, microphoneConstraints, openTracks } from './media-constraints';
import type { MediaPreferences } from './media-preferences';
import { MicrophoneLevelMeter } from './microphone-level-meter';
import { takeHandedTracks } from './track-handover';

/**
 * This participant's own microphone, camera and shared screen: opening and stopping the tracks,
 * the muted flag and the "speaking while muted" detection. What is sent of them is the media
 * session's business.
 */
export class LocalMedia {
  microphone = $state.raw<MediaStreamTrack | null>(null);
  camera = $state.raw<MediaStreamTrack | null>(null);
  screen = $state.raw<MediaStreamTrack | null>(null);
  micMuted = $state(false);
  /** Loud microphone while muted, for long enough to be speech. */
  speakingWhileMuted = $state(false);

  readonly #preferences: MediaPreferences;
  // The devices to open: the device check's choice, until another is chosen in the call.
  #microphoneId: string | null;
  #cameraId: string | null;
  readonly #onEnded: (source: MediaSource) => void;
  readonly #detector = new SpeakingWhileMutedDetector();
  #meter: MicrophoneLevelMeter | null = null;
  #opened = false;

  /** `onEnded`: a track stopped by itself (device unplugged, the browser's "stop sharing"). */
  constructor(preferences: MediaPreferences, onEnded: (source: MediaSource) => void) {
    this.#preferences = preferences;
    this.#microphoneId = preferences.microphoneId;
    this.#cameraId = preferences.cameraId;
    this.#onEnded = onEnded;
    this.micMuted = preferences.joinMuted;
  }

  /** Whether nothing is sent from the microphone: muted, or there is none. */
  get silent(): boolean {
    return this.micMuted || !this.microphone;
  }

  /**
   * Opens microphone and (unless the participant chose "camera off") camera, once per conference:
   * takes the device check's tracks when it just handed them over, and opens only what they lack.
   */
  async openInitial(): Promise<Problem | null> {
    if (this.#opened) return null;
    this.#opened = true;
    const handed = takeHandedTracks();
    if (handed?.audio) this.#setMicrophone(handed.audio);
    if (handed?.video) this.#setCamera(handed.video);
    const opened = await openTracks(
      this.microphone ? false : microphoneConstraints(this.#microphoneId),
      this.#preferences.cameraOff || this.camera ? false : cameraConstraints(this.#cameraId),
    );
    if (opened.audio) this.#setMicrophone(opened.audio);
    if (opened.video) this.#setCamera(opened.video);
    return opened.problem;
  }

  async openMicrophone(): Promise<Problem | null> {
    const opened = await openTracks(microphoneConstraints(this.#microphoneId), false);
    if (opened.audio) this.#setMicrophone(opened.audio);
    return opened.problem;
  }

  async openCamera(): Promise<Problem | null> {
    const opened = await openTracks(false, cameraConstraints(this.#cameraId));
    if (opened.video) this.#setCamera(opened.video);
    return opened.problem;
  }

  /**
   * Another microphone in the call: opens it and drops the old one (the media session then sends
   * the new track in the old one's place). Without an open microphone it is only remembered.
   */
  async switchMicrophone(deviceId: string): Promise<Problem | null> {
    this.#microphoneId = deviceId;
    if (!this.microphone) return null;
    const opened = await openTracks(microphoneConstraints(deviceId, 'exact'), false);
    if (opened.audio) this.#setMicrophone(opened.audio);
    return opened.problem;
  }

  /** Another camera in the call, like switchMicrophone; with the camera off it is only remembered. */
  async switchCamera(deviceId: string): Promise<Problem | null> {
    this.#cameraId = deviceId;
    if (!this.camera) return null;
    const opened = await openTracks(false, cameraConstraints(deviceId, 'exact'));
    if (opened.video) this.#setCamera(opened.video);
    return opened.problem;
  }

  /** The device a source is opened from: the open track's own, else the one chosen. */
  deviceOf(source: 'microphone' | 'camera'): string | null {
    const track = source === 'microphone' ? this.microphone : this.camera;
    return track?.getSettings().deviceId ?? (source === 'microphone' ? this.#microphoneId : this.#cameraId);
  }

  async openScreen(): Promise<Problem | null> {
    if (!mediaDevicesAvailable() || !navigator.mediaDevices.getDisplayMedia) return { key: 'ui.media.screenUnsupported' };
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
      const track = stream.getVideoTracks()[0];
      if (!track) return { key: 'ui.media.screenFailed' };
      track.contentHint = 'detail';
      track.addEventListener('ended', () => this.#ended('screen', track));
      this.screen = track;
      return null;
    } catch (error) {
      // Cancelling the browser's picker is not a problem worth a message.
      if ((error as { name?: string }).name === 'NotAllowedError') return null;
      return mediaProblem(error);
    }
  }

  closeCamera(): void {
    this.camera?.stop();
    this.camera = null;
  }

  closeScreen(): void {
    this.screen?.stop();
    this.screen = null;
  }

  setMicMuted(muted: boolean): void {
    this.micMuted = muted;
    if (!muted) this.speakingWhileMuted = false;
  }

  /** Stops every track (leaving the conference, back to the waiting room). Opening starts afresh. */
  stop(): void {
    this.#meter?.stop();
    this.#meter = null;
    this.microphone?.stop();
    this.microphone = null;
    this.closeCamera();
    this.closeScreen();
    this.speakingWhileMuted = false;
    this.#opened = false;
  }

  #setMicrophone(track: MediaStreamTrack): void {
    this.#meter?.stop();
    this.microphone?.stop();
    this.microphone = track;
    track.addEventListener('ended', () => this.#ended('microphone', track));
    try {
      this.#meter = new MicrophoneLevelMeter(track, (level) => {
        this.speakingWhileMuted = this.#detector.update(level, this.micMuted, performance.now());
      });
    } catch {
      this.#meter = null; // no Web Audio: no hint, everything else works
    }
  }

  #setCamera(track: MediaStreamTrack): void {
    this.camera?.stop();
    this.camera = track;
    track.addEventListener('ended', () => this.#ended('camera', track));
  }

  #ended(source: MediaSource, track: MediaStreamTrack): void {
    if (source === 'microphone' && this.microphone === track) {
      this.#meter?.stop();
      this.#meter = null;
      this.microphone = null;
    } else if (source === 'camera' && this.camera === track) this.camera = null;
    else if (source === 'screen' && this.screen === track) this.screen = null;
    else return;
    this.#onEnded(source);
  }
}
