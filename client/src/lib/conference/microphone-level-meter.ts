import { levelFromSamples } from './audio-level';

/**
 * Measures how loud a microphone is, several times a second, with the Web Audio API. It listens
 * to its own clone of the track: muting (which disables the sent track) does not silence the
 * meter, so it can notice someone speaking while muted.
 */
export class MicrophoneLevelMeter {
  readonly #track: MediaStreamTrack;
  readonly #context: AudioContext;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #resume = () => void this.#context.resume().catch(() => undefined);

  constructor(track: MediaStreamTrack, onLevel: (level: number) => void, intervalMs = 100) {
    this.#track = track.clone();
    this.#track.enabled = true;
    this.#context = new AudioContext();
    this.#source = this.#context.createMediaStreamSource(new MediaStream([this.#track]));
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 1024;
    this.#source.connect(this.#analyser);
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#timer = setInterval(() => {
      this.#analyser.getFloatTimeDomainData(this.#samples);
      onLevel(levelFromSamples(this.#samples));
    }, intervalMs);
    // Without a user gesture on the page (a reload) the browser starts audio suspended.
    if (this.#context.state === 'suspended') {
      this.#resume();
      document.addEventListener('pointerdown', this.#resume, { once: true });
      document.addEventListener('keydown', this.#resume, { once: true });
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    document.removeEventListener('pointerdown', this.#resume);
    document.removeEventListener('keydown', this.#resume);
    this.#source.disconnect();
    void this.#context.close().catch(() => undefined);
    this.#track.stop();
  }
}
