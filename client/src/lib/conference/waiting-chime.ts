/** Two short rising beeps, generated (no sound file): someone started waiting. */
const TONES_HZ = [660, 880];
const TONE_S = 0.12;
const GAP_S = 0.06;
const VOLUME = 0.15;

let context: AudioContext | null = null;

/** Plays the chime; a browser that refuses audio (no user gesture yet) stays silent, the notice still shows. */
export function playWaitingChime(): void {
  try {
    context ??= new AudioContext();
    const start = context.currentTime;
    TONES_HZ.forEach((frequency, index) => {
      const at = start + index * (TONE_S + GAP_S);
      const oscillator = new OscillatorNode(context!, { frequency });
      const gain = new GainNode(context!, { gain: 0 });
      // A short fade in and out, so the beeps do not click.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(VOLUME, at + 0.01);
      gain.gain.linearRampToValueAtTime(0, at + TONE_S);
      oscillator.connect(gain).connect(context!.destination);
      oscillator.start(at);
      oscillator.stop(at + TONE_S);
    });
  } catch {
    // No Web Audio here (or not allowed): the visible notice is enough.
  }
}
