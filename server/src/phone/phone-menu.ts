import type { ConferenceRole, Language } from '@konferenz/shared';
import type { DtmfDigit, SipCall } from '@konferenz/sip';
import type { CallKeys } from './call-keys';
import type { IvrCommand, IvrEvent, IvrStateMachine } from './ivr-state-machine';
import type { ConferenceAction } from './phone-keypad';
import type { PromptPlayer } from './prompt-player';

/** What the phone menu asks of the conference (the wiring implements these). */
export interface PhoneMenuHooks {
  join(entry: { roomNumber: string; role: ConferenceRole; language: Language }): void;
  action(action: ConferenceAction): void;
}

/** Conference news the wiring passes on, to be spoken to the caller. */
export type ConferenceNews = Exclude<IvrEvent, { type: 'digit' | 'tick' | 'playback-finished' }>;

/** More keys than a room number and a PIN with their '#' can hold, before the menu even spoke. */
const MAX_EARLY_KEYS = 32;

/**
 * Runs the phone menu for one answered call: the call's keys (CallKeys: RFC 4733, SIP INFO, in-band) go into the
 * IvrStateMachine, its commands come out as prompts, joins, conference actions and the hang-up,
 * and its deadlines become timers. Events are handled one at a time, in order.
 */
export class PhoneMenu {
  #queue: Promise<void> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #hangupAfterPlayback = false;
  #ended = false;
  /** Keys that came before start(): a caller may send media as soon as the 200 OK arrives, before its ACK reaches us. */
  #early: DtmfDigit[] | null = [];

  constructor(
    private readonly call: SipCall,
    keys: Pick<CallKeys, 'on'>,
    private readonly player: PromptPlayer,
    private readonly machine: IvrStateMachine,
    private readonly hooks: PhoneMenuHooks,
    private readonly now: () => number = Date.now,
  ) {
    const onDigit = (digit: DtmfDigit) => {
      if (this.#early) {
        if (this.#early.length < MAX_EARLY_KEYS) this.#early.push(digit);
      } else this.#enqueue({ type: 'digit', digit, at: this.now() });
    };
    keys.on('key', onDigit);
    player.on('finished', () => {
      if (this.#hangupAfterPlayback) this.call.hangup();
      else this.#enqueue({ type: 'playback-finished', at: this.now() });
    });
    call.once('ended', () => this.#stop());
  }

  /** Starts the welcome; keys pressed before it count as typed over it. */
  start(): void {
    const early = this.#early ?? [];
    this.#early = null;
    this.#run(this.machine.start());
    for (const digit of early) this.#enqueue({ type: 'digit', digit, at: this.now() });
  }

  /** Conference news for the caller (waiting, started, muted …). */
  notify(news: ConferenceNews): void {
    this.#enqueue(news);
  }

  #enqueue(event: IvrEvent): void {
    this.#queue = this.#queue
      .then(async () => {
        if (this.#ended) return;
        this.#run(await this.machine.handle(event));
      })
      .catch(() => {
        // A failure inside the menu ends the call rather than leaving the caller in silence.
        this.call.hangup();
      });
  }

  #run(commands: IvrCommand[]): void {
    if (this.#ended) return;
    for (const command of commands) {
      switch (command.type) {
        case 'play':
          this.player.play(command.prompts, { loop: command.loop });
          break;
        case 'stop-playback':
          this.player.stop();
          break;
        case 'join':
          this.hooks.join({ roomNumber: command.roomNumber, role: command.role, language: command.language });
          break;
        case 'conference-action':
          this.hooks.action(command.action);
          break;
        case 'hangup':
          if (this.player.playing) this.#hangupAfterPlayback = true;
          else this.call.hangup();
          break;
      }
    }
    this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const deadline = this.machine.deadline();
    if (deadline === null || this.#ended) return;
    this.#timer = setTimeout(() => this.#enqueue({ type: 'tick', at: this.now() }), Math.max(0, deadline - this.now()));
  }

  #stop(): void {
    this.#ended = true;
    clearTimeout(this.#timer);
    this.player.stop();
  }
}
