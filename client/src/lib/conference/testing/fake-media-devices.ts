import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { vi } from 'vitest';

/** Camera and microphone as the browser would give them (Node has neither): returns the getUserMedia spy. */
export function fakeMediaDevices() {
  const getUserMedia = vi.fn(async (constraints: MediaStreamConstraints) => {
    const tracks = [
      ...(constraints.audio ? [new FakeMediaStreamTrack({ kind: 'audio' })] : []),
      ...(constraints.video ? [new FakeMediaStreamTrack({ kind: 'video' })] : []),
    ] as unknown as MediaStreamTrack[];
    return {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((track) => track.kind === 'audio'),
      getVideoTracks: () => tracks.filter((track) => track.kind === 'video'),
    };
  });
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia } });
  vi.stubGlobal('RTCPeerConnection', class {});
  return getUserMedia;
}
