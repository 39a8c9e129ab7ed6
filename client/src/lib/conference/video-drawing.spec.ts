import { describe, expect, it } from 'vitest';
import { isDrawing } from './video-drawing';

const live = { readyState: 4, videoWidth: 640, trackMuted: false, trackEnded: false };

describe('isDrawing', () => {
  it('is true for a video with a frame of a live, unmuted track', () => {
    expect(isDrawing(live)).toBe(true);
    expect(isDrawing({ ...live, readyState: 2 })).toBe(true);
  });

  it('is false before the first frame: no data yet, or no size yet', () => {
    expect(isDrawing({ ...live, readyState: 0 })).toBe(false);
    expect(isDrawing({ ...live, readyState: 1 })).toBe(false);
    expect(isDrawing({ ...live, videoWidth: 0 })).toBe(false);
  });

  it('is false while the track receives nothing (muted) or has ended', () => {
    expect(isDrawing({ ...live, trackMuted: true })).toBe(false);
    expect(isDrawing({ ...live, trackEnded: true })).toBe(false);
  });
});
