import { describe, expect, it } from 'vitest';
import { levelFromSamples, SpeakingWhileMutedDetector } from './audio-level';

const sine = (amplitude: number, length = 1024) => Float32Array.from({ length }, (_, index) => amplitude * Math.sin((2 * Math.PI * index) / 64));

describe('levelFromSamples', () => {
  it('is 0 for silence and nothing at all', () => {
    expect(levelFromSamples(new Float32Array(512))).toBe(0);
    expect(levelFromSamples([])).toBe(0);
  });

  it('maps -60…0 dBFS to 0…1', () => {
    // A full-scale sine has an RMS of 1/√2, about -3 dBFS.
    expect(levelFromSamples(sine(1))).toBeCloseTo(1 - 3.01 / 60, 2);
    // Amplitude 0.01: RMS about -43 dBFS.
    expect(levelFromSamples(sine(0.01))).toBeCloseTo(1 - 43.01 / 60, 2);
    expect(levelFromSamples(sine(0.0001))).toBe(0);
  });

  it('never exceeds 1, even for clipped input', () => {
    expect(levelFromSamples(new Float32Array(16).fill(2))).toBe(1);
  });
});

describe('SpeakingWhileMutedDetector', () => {
  const options = { threshold: 0.5, onsetMs: 400, releaseMs: 1500, gapMs: 300 };

  /** Feeds `level` every 100 ms from `from` to `to` (inclusive); returns the last answer. */
  function feed(detector: SpeakingWhileMutedDetector, level: number, muted: boolean, from: number, to: number): boolean {
    let shown = false;
    for (let now = from; now <= to; now += 100) shown = detector.update(level, muted, now);
    return shown;
  }

  it('shows the hint after speech lasting the onset time while muted', () => {
    const detector = new SpeakingWhileMutedDetector(options);
    expect(feed(detector, 0.7, true, 0, 300)).toBe(false);
    expect(feed(detector, 0.7, true, 400, 400)).toBe(true);
  });

  it('ignores a short noise', () => {
    const detector = new SpeakingWhileMutedDetector(options);
    expect(feed(detector, 0.9, true, 0, 100)).toBe(false);
    expect(feed(detector, 0.1, true, 200, 1000)).toBe(false);
    expect(feed(detector, 0.9, true, 1100, 1300)).toBe(false);
  });

  it('bridges short pauses between words', () => {
    const detector = new SpeakingWhileMutedDetector(options);
    feed(detector, 0.7, true, 0, 200);
    feed(detector, 0.2, true, 300, 400); // 200 ms pause, shorter than the gap
    expect(feed(detector, 0.7, true, 500, 500)).toBe(true);
  });

  it('keeps the hint for the release time after speech stops', () => {
    const detector = new SpeakingWhileMutedDetector(options);
    feed(detector, 0.7, true, 0, 500);
    expect(feed(detector, 0.1, true, 600, 1900)).toBe(true);
    expect(feed(detector, 0.1, true, 2000, 2000)).toBe(false);
  });

  it('never shows while unmuted, and unmuting clears it at once', () => {
    const detector = new SpeakingWhileMutedDetector(options);
    expect(feed(detector, 0.9, false, 0, 1000)).toBe(false);
    feed(detector, 0.9, true, 1100, 1600);
    expect(detector.update(0.9, false, 1700)).toBe(false);
  });
});
