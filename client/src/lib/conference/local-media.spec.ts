import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalMedia } from './local-media.svelte';
import type { MediaPreferences } from './media-preferences';
import { fakeMediaDevices } from './testing/fake-media-devices';
import { handOverTracks, takeHandedTracks } from './track-handover';

const preferences: MediaPreferences = { microphoneId: null, cameraId: null, speakerId: null, joinMuted: false, cameraOff: false, displayName: 'Erika' };

const track = (kind: 'audio' | 'video') => new FakeMediaStreamTrack({ kind }) as unknown as MediaStreamTrack;

afterEach(() => {
  takeHandedTracks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the device check hands its tracks to the conference', () => {
  it('takes the handed tracks instead of opening the devices again', async () => {
    const getUserMedia = fakeMediaDevices();
    const [audio, video] = [track('audio'), track('video')];
    handOverTracks({ audio, video });
    const local = new LocalMedia(preferences, () => undefined);
    expect(await local.openInitial()).toBeNull();
    expect(local.microphone).toBe(audio);
    expect(local.camera).toBe(video);
    expect(getUserMedia).not.toHaveBeenCalled();
  });

  it('opens only what the check did not hand over, and everything without a check', async () => {
    const getUserMedia = fakeMediaDevices();
    handOverTracks({ audio: track('audio'), video: null });
    await new LocalMedia(preferences, () => undefined).openInitial();
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(getUserMedia.mock.calls[0]![0]).toMatchObject({ audio: false });
    await new LocalMedia(preferences, () => undefined).openInitial();
    expect(getUserMedia.mock.calls[1]![0]).toMatchObject({ audio: expect.anything(), video: expect.anything() });
  });

  it('stops tracks nobody takes within 5 s, and hands out a track only once', () => {
    vi.useFakeTimers();
    const audio = track('audio');
    handOverTracks({ audio, video: null });
    vi.advanceTimersByTime(5_000);
    expect(audio.readyState).toBe('ended');
    expect(takeHandedTracks()).toBeNull();
    const again = track('audio');
    handOverTracks({ audio: again, video: null });
    expect(takeHandedTracks()).toEqual({ audio: again, video: null });
    expect(takeHandedTracks()).toBeNull();
  });
});

describe('switching devices in the call', () => {
  it('opens the chosen microphone and camera and stops the old tracks', async () => {
    const getUserMedia = fakeMediaDevices();
    const local = new LocalMedia(preferences, () => undefined);
    await local.openInitial();
    const [oldMicrophone, oldCamera] = [local.microphone!, local.camera!];
    expect(await local.switchMicrophone('mic-2')).toBeNull();
    expect(await local.switchCamera('cam-2')).toBeNull();
    expect(getUserMedia).toHaveBeenCalledWith({ audio: expect.objectContaining({ deviceId: { exact: 'mic-2' } }), video: false });
    expect(getUserMedia).toHaveBeenCalledWith({ audio: false, video: expect.objectContaining({ deviceId: { exact: 'cam-2' } }) });
    expect(local.microphone).not.toBe(oldMicrophone);
    expect(local.camera).not.toBe(oldCamera);
    expect(oldMicrophone.readyState).toBe('ended');
    expect(oldCamera.readyState).toBe('ended');
  });

  it('keeps the muted flag, and only remembers a camera chosen while the camera is off', async () => {
    const getUserMedia = fakeMediaDevices();
    const local = new LocalMedia({ ...preferences, joinMuted: true, cameraOff: true }, () => undefined);
    await local.openInitial();
    await local.switchMicrophone('mic-2');
    expect(local.micMuted).toBe(true);
    const calls = getUserMedia.mock.calls.length;
    await local.switchCamera('cam-2');
    expect(getUserMedia.mock.calls.length).toBe(calls);
    expect(local.camera).toBeNull();
    await local.openCamera();
    expect(getUserMedia).toHaveBeenLastCalledWith({ audio: false, video: expect.objectContaining({ deviceId: { ideal: 'cam-2' } }) });
  });
});
