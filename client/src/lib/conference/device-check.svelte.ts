import type { Problem } from '#lib/i18n.svelte.js';
import { playTestTone } from './audio-output';
import { type DeviceLists, type DeviceOption, refreshDeviceLists } from './device-options';
import { cameraConstraints, mediaDevicesAvailable, microphoneConstraints, openTracks } from './media-constraints';
import type { MediaPreferences } from './media-preferences';
import { MicrophoneLevelMeter } from './microphone-level-meter';
import { handOverTracks } from './track-handover';

/**
 * The check before joining: which microphone, camera and speaker, a live level meter, a camera
 * preview and a speaker test tone, and the choices "join muted" and "camera off". Holds the preview tracks while the
 * page shows, and hands them to the conference on joining (track-handover.ts).
 */
export class DeviceCheck implements DeviceLists {
  microphones = $state.raw<DeviceOption[]>([]);
  cameras = $state.raw<DeviceOption[]>([]);
  /** Empty where the browser cannot choose the speaker (no setSinkId): the choice is hidden. */
  speakers = $state.raw<DeviceOption[]>([]);
  microphoneId = $state<string | null>(null);
  cameraId = $state<string | null>(null);
  speakerId = $state<string | null>(null);
  /** The test tone is playing. */
  testingSpeaker = $state(false);
  joinMuted = $state(false);
  cameraOff = $state(false);
  audio = $state.raw<MediaStreamTrack | null>(null);
  video = $state.raw<MediaStreamTrack | null>(null);
  /** 0…1, see levelFromSamples. */
  level = $state(0);
  problem = $state<Problem | null>(null);
  starting = $state(false);

  #meter: MicrophoneLevelMeter | null = null;
  #stopped = false;
  readonly #onDeviceChange = () => void refreshDeviceLists(this);

  constructor(preferences: MediaPreferences) {
    this.microphoneId = preferences.microphoneId;
    this.cameraId = preferences.cameraId;
    this.speakerId = preferences.speakerId;
    this.joinMuted = preferences.joinMuted;
    this.cameraOff = preferences.cameraOff;
  }

  async start(): Promise<void> {
    if (!mediaDevicesAvailable()) {
      this.problem = { key: 'ui.media.unsupported' };
      return;
    }
    this.starting = true;
    const opened = await openTracks(microphoneConstraints(this.microphoneId), this.cameraOff ? false : cameraConstraints(this.cameraId));
    this.starting = false;
    if (this.#stopped) {
      opened.audio?.stop();
      opened.video?.stop();
      return;
    }
    this.problem = opened.problem;
    this.#setAudio(opened.audio);
    this.#setVideo(opened.video);
    navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);
    // Device names are only readable once access was granted, so list them afterwards.
    await refreshDeviceLists(this);
  }

  async selectMicrophone(deviceId: string): Promise<void> {
    this.microphoneId = deviceId;
    this.#setAudio(null);
    const opened = await openTracks(microphoneConstraints(deviceId), false);
    if (this.#stopped) return opened.audio?.stop();
    this.problem = opened.problem;
    this.#setAudio(opened.audio);
  }

  async selectCamera(deviceId: string): Promise<void> {
    this.cameraId = deviceId;
    if (this.cameraOff) return;
    await this.#openCamera();
  }

  selectSpeaker(deviceId: string): void {
    this.speakerId = deviceId;
  }

  /** Plays a short tone on the chosen speaker (once at a time). */
  async testSpeaker(): Promise<void> {
    if (this.testingSpeaker) return;
    this.testingSpeaker = true;
    try {
      await playTestTone(this.speakerId);
    } catch (error) {
      console.warn('Konferenz: the speaker test failed', error);
    } finally {
      this.testingSpeaker = false;
    }
  }

  async setCameraOff(off: boolean): Promise<void> {
    this.cameraOff = off;
    if (off) this.#setVideo(null);
    else await this.#openCamera();
  }

  /** The choices to remember and to join with. */
  preferences(displayName: string): MediaPreferences {
    return {
      microphoneId: this.microphoneId,
      cameraId: this.cameraId,
      speakerId: this.speakerId,
      joinMuted: this.joinMuted,
      cameraOff: this.cameraOff,
      displayName,
    };
  }

  /** Ends the check on joining: its live tracks go on to the conference instead of being stopped. */
  handOver(): void {
    this.#meter?.stop();
    this.#meter = null;
    handOverTracks({ audio: this.audio, video: this.cameraOff ? null : this.video });
    // Let go of them, so that stop() leaves them running.
    this.audio = null;
    this.video = null;
    this.stop();
  }

  stop(): void {
    this.#stopped = true;
    if (mediaDevicesAvailable()) navigator.mediaDevices.removeEventListener('devicechange', this.#onDeviceChange);
    this.#setAudio(null);
    this.#setVideo(null);
  }

  async #openCamera(): Promise<void> {
    this.#setVideo(null);
    const opened = await openTracks(false, cameraConstraints(this.cameraId));
    if (this.#stopped || this.cameraOff) return opened.video?.stop();
    this.problem = opened.problem;
    this.#setVideo(opened.video);
  }

  #setAudio(track: MediaStreamTrack | null): void {
    this.#meter?.stop();
    this.#meter = null;
    this.audio?.stop();
    this.audio = track;
    this.level = 0;
    if (!track) return;
    this.microphoneId = track.getSettings().deviceId ?? this.microphoneId;
    try {
      this.#meter = new MicrophoneLevelMeter(track, (level) => (this.level = level), 50);
    } catch {
      this.#meter = null;
    }
  }

  #setVideo(track: MediaStreamTrack | null): void {
    this.video?.stop();
    this.video = track;
    if (track) this.cameraId = track.getSettings().deviceId ?? this.cameraId;
  }
}
