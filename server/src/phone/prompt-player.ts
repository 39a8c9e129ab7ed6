import { EventEmitter } from 'node:events';
import type { RtpSession } from '@konferenz/sfu';
import type { AudioCodecName, NegotiatedAudio } from '@konferenz/sip';
import type { PromptKey } from './ivr-state-machine';
import { promptFrames, promptFrameTicks, silenceFrame } from './prompt-frames';
import type { PromptLibrary } from './prompt-library';

export interface PromptPlayerEvents {
  /** Everything queued has played (not emitted on stop()). */
  finished: [];
}

/**
 * Plays prompts into a call's RTP session in real time: 20 ms frames on a clock that corrects its
 * own drift, in the call's codec (G.711, or G.722 and Opus encoded once per process, see
 * prompt-frames). A looping list (music on hold) repeats until stopped.
 *
 * With `idleSilence` on (the menu, while it waits for keys), silence goes out between prompts
 * on the same clock and stream: some gateways and phones drop a call that receives no RTP for a
 * while, and a caller keying a PIN for 20 s would otherwise get none.
 */
export class PromptPlayer extends EventEmitter<PromptPlayerEvents> {
  #queue: PromptKey[] = [];
  #loop: PromptKey[] | null = null;
  #current?: { key: PromptKey; codec: AudioCodecName; frames: readonly Buffer[] };
  #index = 0;
  #timer?: NodeJS.Timeout;
  #nextAt = 0;
  /** The clock runs for silence only: nothing queued is playing. */
  #idle = false;
  #idleSilence = false;
  readonly #frameMs: number;

  constructor(
    private readonly session: RtpSession<NegotiatedAudio>,
    private readonly library: PromptLibrary,
    frameMs = 20,
  ) {
    super();
    this.#frameMs = frameMs;
  }

  /** A prompt (or the hold music) is being played; silence between prompts is not playing. */
  get playing(): boolean {
    return this.#timer !== undefined && !this.#idle;
  }

  get idleSilence(): boolean {
    return this.#idleSilence;
  }

  /** Silence between prompts (see the class comment); off stops the silence at its next frame. */
  set idleSilence(on: boolean) {
    this.#idleSilence = on;
    if (on && !this.#timer) this.#startClock(true);
  }

  /** Queues prompts after what plays; with `loop`, the list repeats once the queue is empty, until stop(). */
  play(prompts: PromptKey[], options: { loop?: boolean } = {}): void {
    const codec = this.session.media.codec;
    // Fails now on a missing file, not mid-call; a prompt is encoded here, not in a frame's time.
    for (const key of prompts) promptFrames(this.library, key, codec, this.#frameMs);
    if (options.loop) this.#loop = [...prompts];
    else this.#queue.push(...prompts);
    if (!this.#timer) this.#startClock(false);
    else if (this.#idle) {
      // The silence's clock goes on: the prompt starts with its next frame, a new talkspurt.
      this.#idle = false;
      this.session.markTalkspurt();
    }
  }

  stop(): void {
    this.#queue = [];
    this.#loop = null;
    this.#current = undefined;
    this.#index = 0;
    if (this.#idleSilence && this.#timer) {
      this.#idle = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#idle = false;
  }

  #startClock(idle: boolean): void {
    this.#idle = idle;
    this.session.markTalkspurt();
    this.#nextAt = performance.now();
    this.#tick();
  }

  #silence(): { payload: Buffer; ticks: number } {
    const codec = this.session.media.codec;
    return { payload: silenceFrame(codec, this.#frameMs), ticks: promptFrameTicks(codec, this.#frameMs) };
  }

  #nextFrame(): { payload: Buffer; ticks: number } | null {
    const codec = this.session.media.codec;
    while (!this.#current || this.#index >= this.#current.frames.length) {
      let key = this.#queue.shift();
      if (!key && this.#loop) {
        this.#queue.push(...this.#loop);
        key = this.#queue.shift();
      }
      if (!key) return null;
      this.#current = { key, codec, frames: promptFrames(this.library, key, codec, this.#frameMs) };
      this.#index = 0;
    }
    // A re-INVITE changed the codec mid-prompt: the prompt goes on from the same point in the new one.
    if (this.#current.codec !== codec) {
      this.#current = { key: this.#current.key, codec, frames: promptFrames(this.library, this.#current.key, codec, this.#frameMs) };
    }
    const payload = this.#current.frames[this.#index++]!;
    return { payload, ticks: promptFrameTicks(codec, this.#frameMs) };
  }

  #tick(): void {
    let frame = this.#idle ? null : this.#nextFrame();
    if (!frame) {
      const finished = !this.#idle;
      this.#current = undefined;
      this.#idle = true;
      frame = this.#idleSilence ? this.#silence() : null;
      if (!frame) {
        this.#timer = undefined;
        this.#idle = false;
      }
      if (finished) this.emit('finished');
      // A listener of 'finished' may have played something: then its clock runs already, or (over
      // silence) its first frame goes out now, as the talkspurt's first.
      if (!frame) return;
      if (!this.#idle) frame = this.#nextFrame() ?? frame;
    }
    this.session.sendAudio(frame.payload, frame.ticks);
    this.#nextAt += this.#frameMs;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.#nextAt - performance.now()));
  }
}
