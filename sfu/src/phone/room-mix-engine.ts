import { performance } from 'node:perf_hooks';

import { ConferenceMixer } from './conference-mixer';
import type { FrameTick } from './frame-clock';
import { FrameTimings, type FrameTimingStats } from './frame-timings';
import type { JitterBufferOptions, JitterBufferStats } from './jitter-buffer';
import { MixVariants, type MixVariant } from './mix-variants';
import { OpusStreamInput } from './opus-stream-input';
import type { RtpPacket } from './rtp-packet';

/** A participant's audio as the room sends it to the mix (one mediasoup consumer). */
export interface ConferenceStream {
  /** Whose voice it is: the producer id, which a listener names as its own. */
  id: string;
  ssrc: number;
  payloadType: number;
  /** RFC 6464 extension id in this stream, when mediasoup forwards the level. */
  audioLevelExtensionId?: number;
}

/** A phone caller hearing the room (the bridge's side of the mix). */
export interface MixListener {
  /** The stream carrying the listener's own voice, when the mix has it: never in what the listener hears. */
  readonly ownStreamId: string | undefined;
  /** Hears G.711: the mix keeps the 8 kHz share of the listener's voice, to take it out. */
  readonly narrowband: boolean;
  /** False while the listener may not hear the room (not admitted): it gets silence. */
  readonly hearsRoom: boolean;
  /** Every frame before the mix: the caller's own voice into the room, on the room's clock. */
  beforeMix(tick: FrameTick): void;
  /** Every frame: what the listener hears. */
  play(tick: FrameTick, variant: MixVariant): void;
}

export interface RoomMixEngineOptions {
  /** How many speakers are mixed at once (K). Default 3. */
  maxSpeakers?: number;
  jitter?: Pick<JitterBufferOptions, 'minDelayMs' | 'maxDelayMs' | 'maxConcealMs'>;
}

/** A window of frames (since the previous `takeStats`). */
export interface RoomMixStats extends FrameTimingStats {
  listeners: number;
  streams: number;
  /** Opus frames decoded (concealment included) per frame: at most maxSpeakers for streams with levels. */
  decodesPerFrame: number;
}

export interface RoomMixCounters {
  packetsIn: number;
  /** RTP with an SSRC or payload type the mix does not know. */
  unknownPackets: number;
  /** Listener calls that threw (a bug); the frame carries on. */
  listenerErrors: number;
  streams: Record<string, JitterBufferStats & { decodeErrors: number }>;
}

const MIX_RATE = 48000;
const FRAME_SAMPLES = 960;

/**
 * A room's phone audio, without the network: the room's audio streams come
 * in (one jitter buffer and lazy decoder each), every frame the loudest few
 * are mixed once at 48 kHz, and each listener is handed its version of the
 * mix (MixVariants: the mix, the mix without its own voice, or silence),
 * encoded once per version and codec. Every frame's work, the callers' own
 * paths into the room included, is timed.
 */
export class RoomMixEngine {
  readonly #mixer: ConferenceMixer;
  readonly #variants = new MixVariants({ frameSamples: FRAME_SAMPLES, sampleRate: MIX_RATE });
  readonly #jitter: RoomMixEngineOptions['jitter'];
  readonly #streams = new Map<string, { input: OpusStreamInput; ssrc: number; payloadType: number }>();
  readonly #bySsrc = new Map<number, { input: OpusStreamInput; payloadType: number }>();
  readonly #listeners = new Set<MixListener>();
  readonly #timings = new FrameTimings();
  readonly #counters = { packetsIn: 0, unknownPackets: 0, listenerErrors: 0 };
  #decodesOfRemoved = 0;
  #decodesAtTake = 0;

  constructor(options: RoomMixEngineOptions = {}) {
    this.#mixer = new ConferenceMixer({ frameSamples: FRAME_SAMPLES, maxSpeakers: options.maxSpeakers });
    this.#jitter = options.jitter;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  hasStream(id: string): boolean {
    return this.#streams.has(id);
  }

  addStream(stream: ConferenceStream): void {
    if (this.#streams.has(stream.id) || this.#bySsrc.has(stream.ssrc)) return;
    const input = new OpusStreamInput({ sampleRate: MIX_RATE, audioLevelExtensionId: stream.audioLevelExtensionId, jitter: this.#jitter });
    this.#streams.set(stream.id, { input, ssrc: stream.ssrc, payloadType: stream.payloadType });
    this.#bySsrc.set(stream.ssrc, { input, payloadType: stream.payloadType });
    this.#mixer.addInput(stream.id, input);
  }

  removeStream(id: string): void {
    const stream = this.#streams.get(id);
    if (!stream) return;
    this.#decodesOfRemoved += stream.input.decodes;
    this.#streams.delete(id);
    this.#bySsrc.delete(stream.ssrc);
    this.#mixer.removeInput(id);
  }

  /** Every stream gone at once (the room's media were reset). */
  clearStreams(): void {
    for (const id of [...this.#streams.keys()]) this.removeStream(id);
  }

  addListener(listener: MixListener): void {
    this.#listeners.add(listener);
  }

  removeListener(listener: MixListener): void {
    this.#listeners.delete(listener);
  }

  /** An RTP packet from the room. */
  receive(packet: RtpPacket, arrivalMs: number): void {
    const stream = this.#bySsrc.get(packet.ssrc);
    if (!stream || stream.payloadType !== packet.payloadType || packet.payload.length === 0) {
      this.#counters.unknownPackets++;
      return;
    }
    this.#counters.packetsIn++;
    stream.input.push(packet, arrivalMs);
  }

  /** One 20 ms frame for the whole room. */
  frame(tick: FrameTick): void {
    const started = performance.now();
    for (const listener of this.#listeners) {
      try {
        listener.beforeMix(tick);
      } catch {
        this.#counters.listenerErrors++;
      }
    }
    const narrowOwners = new Set<string>();
    for (const listener of this.#listeners) {
      if (listener.narrowband && listener.hearsRoom && listener.ownStreamId !== undefined) narrowOwners.add(listener.ownStreamId);
    }
    this.#variants.next(this.#mixer.mix(tick.nowMs), narrowOwners);
    for (const listener of this.#listeners) {
      try {
        listener.play(tick, listener.hearsRoom ? this.#variants.heardBy(listener.ownStreamId) : this.#variants.silence);
      } catch {
        this.#counters.listenerErrors++;
      }
    }
    this.#timings.record(performance.now() - started);
  }

  /** The window since the previous call, which starts the next one. */
  takeStats(): RoomMixStats {
    const timings = this.#timings.take();
    let decodes = this.#decodesOfRemoved;
    for (const { input } of this.#streams.values()) decodes += input.decodes;
    const window = decodes - this.#decodesAtTake;
    this.#decodesAtTake = decodes;
    return {
      ...timings,
      listeners: this.#listeners.size,
      streams: this.#streams.size,
      decodesPerFrame: timings.frames === 0 ? 0 : window / timings.frames,
    };
  }

  counters(): RoomMixCounters {
    const streams: RoomMixCounters['streams'] = {};
    for (const [id, { input }] of this.#streams) streams[id] = input.stats();
    return { ...this.#counters, streams };
  }
}
