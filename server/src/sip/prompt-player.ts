import { EventEmitter } from 'node:events';
import { mulawToAlaw } from './g711';
import type { PromptKey } from './ivr-state-machine';
import type { PromptLibrary } from './prompt-library';
import type { RtpSession } from './rtp-session';

export interface PromptPlayerEvents {
  /** Everything queued has played (not emitted on stop()). */
  finished: [];
}

/** µ-law silence (the code for 0). */
const MULAW_SILENCE = 0xff;

/**
 * Plays prompts into a call's RTP session in real time: 20 ms G.711 frames on a clock that
 * corrects its own drift. Prompts are kept in µ-law and converted for A-law callers. A looping
 * list (music on hold) repeats until stopped. Other codecs (G.722, Opus) need the media plane's
 * encoders and are not played here.
 */
export class PromptPlayer extends EventEmitter<PromptPlayerEvents> {
  #queue: PromptKey[] = [];
  #loop: PromptKey[] | null = null;
  #current?: Buffer;
  #offset = 0;
  #timer?: NodeJS.Timeout;
  #nextAt = 0;
  readonly #frameMs: number;

  constructor(
    private readonly session: RtpSession,
    private readonly library: PromptLibrary,
    frameMs = 20,
  ) {
    super();
    this.#frameMs = frameMs;
  }

  get playing(): boolean {
    return this.#timer !== undefined;
  }

  /** Queues prompts after what plays; with `loop`, the list repeats once the queue is empty, until stop(). */
  play(prompts: PromptKey[], options: { loop?: boolean } = {}): void {
    const codec = this.session.media.codec;
    if (codec !== 'PCMU' && codec !== 'PCMA') throw new Error(`prompts cannot be played with ${codec}`);
    for (const key of prompts) this.library.get(key); // fail now on a missing file, not mid-call
    if (options.loop) this.#loop = [...prompts];
    else this.#queue.push(...prompts);
    if (!this.#timer) {
      this.session.markTalkspurt();
      this.#nextAt = performance.now();
      this.#tick();
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#loop = null;
    this.#current = undefined;
    this.#offset = 0;
  }

  #nextFrame(): Buffer | null {
    const frameBytes = (8000 * this.#frameMs) / 1000;
    while (!this.#current || this.#offset >= this.#current.length) {
      let key = this.#queue.shift();
      if (!key && this.#loop) {
        this.#queue.push(...this.#loop);
        key = this.#queue.shift();
      }
      if (!key) return null;
      this.#current = this.library.get(key);
      this.#offset = 0;
    }
    const frame = Buffer.alloc(frameBytes, MULAW_SILENCE);
    this.#current.copy(frame, 0, this.#offset, Math.min(this.#offset + frameBytes, this.#current.length));
    this.#offset += frameBytes;
    return this.session.media.codec === 'PCMA' ? mulawToAlaw(frame) : frame;
  }

  #tick(): void {
    const frame = this.#nextFrame();
    if (!frame) {
      this.#timer = undefined;
      this.#current = undefined;
      this.emit('finished');
      return;
    }
    this.session.sendAudio(frame, frame.length);
    this.#nextAt += this.#frameMs;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, this.#nextAt - performance.now()));
  }
}
