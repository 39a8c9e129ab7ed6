/**
 * The speaker output of <audio> elements (HTMLMediaElement.setSinkId; Chromium, Edge, Firefox
 * 116+; not Safari): where it is missing, the browser's default plays and the choice is hidden.
 */
type SinkElement = HTMLMediaElement & { setSinkId(sinkId: string): Promise<void> };

export function outputSelectable(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Plays `element` on the speaker `sinkId` (null: the default); a refused choice keeps the default. */
export async function routeToOutput(element: HTMLMediaElement, sinkId: string | null): Promise<void> {
  if (!outputSelectable()) return;
  try {
    await (element as SinkElement).setSinkId(sinkId ?? '');
  } catch (error) {
    console.warn('Konferenz: choosing the speaker failed', error);
  }
}

/** The test tone: 440 Hz, long enough to hear, faded in and out so it does not click. */
export const TEST_TONE = { frequency: 440, seconds: 1.2, fadeSeconds: 0.05, gain: 0.2 } as const;

/**
 * Plays a short generated tone on the speaker `sinkId`; resolves when it has ended. Goes through an
 * <audio> element, since only that can choose its output everywhere setSinkId exists.
 */
export async function playTestTone(sinkId: string | null): Promise<void> {
  const context = new AudioContext();
  try {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    const destination = context.createMediaStreamDestination();
    oscillator.frequency.value = TEST_TONE.frequency;
    const start = context.currentTime;
    const end = start + TEST_TONE.seconds;
    gain.gain.setValueAtTime(0, start);
    gain.gain.linearRampToValueAtTime(TEST_TONE.gain, start + TEST_TONE.fadeSeconds);
    gain.gain.setValueAtTime(TEST_TONE.gain, end - TEST_TONE.fadeSeconds);
    gain.gain.linearRampToValueAtTime(0, end);
    oscillator.connect(gain).connect(destination);
    const element = new Audio();
    element.srcObject = destination.stream;
    await routeToOutput(element, sinkId);
    await element.play();
    const ended = new Promise<void>((resolve) => oscillator.addEventListener('ended', () => resolve()));
    oscillator.start(start);
    oscillator.stop(end);
    await ended;
    element.pause();
    element.srcObject = null;
  } finally {
    await context.close();
  }
}
