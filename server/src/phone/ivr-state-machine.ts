import {
  DEFAULT_LANGUAGE,
  PIN_MAX_LENGTH,
  PIN_MIN_LENGTH,
  ROOM_NUMBER_LENGTH,
  ROOM_NUMBER_PATTERN,
  type ConferenceRole,
  type Language,
} from '@konferenz/shared';
import type { DtmfDigit } from '@konferenz/sip';
import { DigitCollector, type CollectedEntry } from './digit-collector';
import { IVR_ENGLISH_KEY, IVR_MAX_SPOKEN_NUMBER, type IvrPromptId } from './ivr-prompts';
import { keypadAction, keypadHelp, type ConferenceAction } from './phone-keypad';
import { PRESENCE_TONE_KEYS, type PresenceChange, type PresenceToneKey } from './presence-tones';

/**
 * A prompt file by its path under server/assets/prompts without `.wav`: `de/welcome`,
 * `en/numbers/5`, `hold-music`; or a tone made in code (`tones/entry`, presence-tones.ts).
 */
export type PromptKey = `${Language}/${IvrPromptId}` | `${Language}/numbers/${number}` | 'hold-music' | PresenceToneKey;

/** `unavailable`: the check itself failed (the database is down): not the caller's fault, and not counted. */
export type PinCheckResult = ConferenceRole | 'invalid' | 'locked-out' | 'unavailable';
export type CheckPin = (roomNumber: string, pin: string) => Promise<PinCheckResult>;

export type HangupReason = 'invalid-entries' | 'locked-out' | 'error' | 'conference-ended' | 'room-locked';

/** What the machine asks its driver to do, in order. */
export type IvrCommand =
  /** Queue prompts after whatever plays; `loop` repeats the list until stopped. */
  | { type: 'play'; prompts: PromptKey[]; loop?: boolean }
  /** Stop what plays and drop the queue (barge-in, or a new state). */
  | { type: 'stop-playback' }
  | { type: 'join'; roomNumber: string; role: ConferenceRole; language: Language }
  | { type: 'conference-action'; action: ConferenceAction }
  /** Hang up once the queued prompts have played. */
  | { type: 'hangup'; reason: HangupReason };

export type IvrEvent =
  | { type: 'digit'; digit: DtmfDigit; at: number }
  /** Time passed: the driver sends this at `deadline()`. */
  | { type: 'tick'; at: number }
  /** The queued prompts have all played (entry timers start then, unless a key came first). */
  | { type: 'playback-finished'; at: number }
  // What the conference reports once the caller is in (sent by the wiring):
  | { type: 'waiting-for-moderator' }
  /** Waiting although a moderator is there: the room admits by hand, or screens after a removal. */
  | { type: 'waiting-for-admission' }
  /** The PIN was right but the moderator has locked the room: nobody new gets in. */
  | { type: 'room-locked' }
  | { type: 'conference-started' }
  | { type: 'joined'; participantCount: number }
  | { type: 'mute-changed'; muted: boolean }
  | { type: 'participant-count'; count: number }
  | { type: 'lock-changed'; locked: boolean }
  | { type: 'others-muted' }
  /** Others entered or left the conference (gathered by PresenceNotices): one tone each. */
  | { type: 'presence'; changes: PresenceChange[] }
  /**
   * The last moderator left: the conference goes on without one (`waiting` false), or the caller
   * was sent back to the waiting room until one returns (`waiting` true).
   */
  | { type: 'moderator-left'; waiting: boolean }
  /** A keypad command was carried out: say so (e.g. a toggled participant attribute). */
  | { type: 'confirmation'; prompt: IvrPromptId }
  | { type: 'conference-ended' };

export type IvrPhase = 'room-number' | 'pin' | 'checking' | 'in-conference' | 'finished';

export interface IvrOptions {
  checkPin: CheckPin;
  /**
   * The room the caller dialled (`sip:<room>@host`): the menu asks for the PIN only, and again
   * for the PIN after a wrong one. Whether the room exists is not told: a wrong PIN and an
   * unknown room sound the same.
   */
  roomNumber?: string;
  /** Failed entries per call before goodbye. */
  maxTries?: number;
  interDigitTimeoutMs?: number;
  /** For one entry, from the end of its prompt (or the first key). */
  entryTimeoutMs?: number;
  /** Time between '*' and the key that completes an in-conference command. */
  keypadCommandTimeoutMs?: number;
}

/**
 * The phone menu as a state machine: German by default, English when the caller presses `*`
 * during the welcome; room number, then PIN, each ending with '#'; three failed entries per call
 * end it. Then, in the conference, it turns keypad commands into actions and conference news
 * into prompts. It keeps no timers and does no I/O except the injected PIN check: every input is
 * an event with the time, every output a command.
 */
export class IvrStateMachine {
  #phase: IvrPhase;
  /** Where an entry starts: the room number, or the PIN of the room the caller dialled. */
  readonly #firstPhase: 'room-number' | 'pin';
  #language: Language = DEFAULT_LANGUAGE;
  #languageChoiceOpen = true;
  #failures = 0;
  #roomNumber = '';
  #role: ConferenceRole | null = null;
  #collector?: DigitCollector;
  /** True while an entry's prompt plays and no key was pressed: its timers have not started yet. */
  #awaitingEntry = false;
  #starAt?: number;
  readonly #options: Required<Omit<IvrOptions, 'roomNumber'>>;
  readonly #dialledRoom: string | undefined;

  constructor(options: IvrOptions) {
    const { roomNumber, ...rest } = options;
    this.#options = { maxTries: 3, interDigitTimeoutMs: 5_000, entryTimeoutMs: 20_000, keypadCommandTimeoutMs: 3_000, ...rest };
    this.#dialledRoom = roomNumber !== undefined && ROOM_NUMBER_PATTERN.test(roomNumber) ? roomNumber : undefined;
    this.#firstPhase = this.#dialledRoom ? 'pin' : 'room-number';
    this.#phase = this.#firstPhase;
    this.#roomNumber = this.#dialledRoom ?? '';
  }

  get phase(): IvrPhase {
    return this.#phase;
  }

  get language(): Language {
    return this.#language;
  }

  get role(): ConferenceRole | null {
    return this.#role;
  }

  /** When the driver must send the next `tick`, or null when nothing waits on time. */
  deadline(): number | null {
    return this.#collector && !this.#collector.done ? this.#collector.deadline() : null;
  }

  start(): IvrCommand[] {
    this.#awaitingEntry = true;
    return [{ type: 'play', prompts: [this.#prompt('welcome'), this.#firstPrompt()] }];
  }

  /** What the first entry asks for. */
  #firstPrompt(): PromptKey {
    return this.#prompt(this.#firstPhase === 'pin' ? 'enter-pin' : 'enter-room-number');
  }

  async handle(event: IvrEvent): Promise<IvrCommand[]> {
    if (this.#phase === 'finished') return [];
    switch (event.type) {
      case 'digit':
        return this.#digit(event.digit, event.at);
      case 'tick':
        return this.#entry(this.#collector?.expire(event.at) ?? null);
      case 'playback-finished':
        if (this.#awaitingEntry && (this.#phase === 'room-number' || this.#phase === 'pin')) this.#startCollecting(event.at);
        return [];
      default:
        return this.#conferenceNews(event);
    }
  }

  #prompt(id: IvrPromptId): PromptKey {
    return `${this.#language}/${id}`;
  }

  #startCollecting(at: number): void {
    this.#awaitingEntry = false;
    const maxDigits = this.#phase === 'pin' ? PIN_MAX_LENGTH : ROOM_NUMBER_LENGTH;
    this.#collector = new DigitCollector(
      { maxDigits, interDigitTimeoutMs: this.#options.interDigitTimeoutMs, overallTimeoutMs: this.#options.entryTimeoutMs },
      at,
    );
  }

  async #digit(digit: DtmfDigit, at: number): Promise<IvrCommand[]> {
    if (this.#phase === 'in-conference') return this.#keypad(digit, at);
    if (this.#phase !== 'room-number' && this.#phase !== 'pin') return [];
    const commands: IvrCommand[] = [];
    if (this.#languageChoiceOpen && this.#phase === this.#firstPhase && !this.#collector?.digits) {
      this.#languageChoiceOpen = false;
      if (digit === IVR_ENGLISH_KEY) {
        this.#language = 'en';
        this.#collector = undefined;
        this.#awaitingEntry = true;
        return [{ type: 'stop-playback' }, { type: 'play', prompts: [this.#firstPrompt()] }];
      }
    }
    if (this.#awaitingEntry) {
      // Barge-in: the first key stops the prompt and starts the entry.
      commands.push({ type: 'stop-playback' });
      this.#startCollecting(at);
    }
    if (!this.#collector) this.#startCollecting(at);
    const next = await this.#entry(this.#collector!.push(digit, at));
    // The barge-in already stopped playback; a failed entry would ask again.
    return [...commands, ...(commands.length && next[0]?.type === 'stop-playback' ? next.slice(1) : next)];
  }

  async #entry(entry: CollectedEntry | null): Promise<IvrCommand[]> {
    if (!entry) return [];
    this.#collector = undefined;
    // A complete-looking entry that only lacks the '#' is taken when the caller pauses.
    const accepted = entry.kind === 'complete' ? entry.by === 'terminator' : entry.which === 'inter-digit' && this.#wellFormed(entry.digits);
    if (!accepted || !this.#wellFormed(entry.digits)) return this.#failed();
    if (this.#phase === 'room-number') {
      this.#roomNumber = entry.digits;
      this.#phase = 'pin';
      this.#awaitingEntry = true;
      return [{ type: 'play', prompts: [this.#prompt('enter-pin')] }];
    }
    return this.#checkPin(entry.digits);
  }

  #wellFormed(digits: string): boolean {
    return this.#phase === 'room-number'
      ? ROOM_NUMBER_PATTERN.test(digits)
      : /^\d+$/.test(digits) && digits.length >= PIN_MIN_LENGTH && digits.length <= PIN_MAX_LENGTH;
  }

  async #checkPin(pin: string): Promise<IvrCommand[]> {
    this.#phase = 'checking';
    let result: PinCheckResult;
    try {
      result = await this.#options.checkPin(this.#roomNumber, pin);
    } catch {
      result = 'unavailable';
    }
    if (result === 'unavailable') {
      this.#phase = 'finished';
      return [
        { type: 'play', prompts: [this.#prompt('service-unavailable'), this.#prompt('goodbye')] },
        { type: 'hangup', reason: 'error' },
      ];
    }
    if (result === 'moderator' || result === 'participant') {
      this.#phase = 'in-conference';
      this.#role = result;
      return [{ type: 'join', roomNumber: this.#roomNumber, role: result, language: this.#language }];
    }
    if (result === 'locked-out') {
      this.#phase = 'finished';
      return [
        { type: 'play', prompts: [this.#prompt('invalid-entry'), this.#prompt('goodbye')] },
        { type: 'hangup', reason: 'locked-out' },
      ];
    }
    this.#phase = 'pin';
    return this.#failed();
  }

  /** A wrong or missing entry: try again from the first entry, or say goodbye after the last try. */
  #failed(): IvrCommand[] {
    this.#failures++;
    this.#languageChoiceOpen = false;
    this.#collector = undefined;
    if (this.#failures >= this.#options.maxTries) {
      this.#phase = 'finished';
      return [
        { type: 'stop-playback' },
        { type: 'play', prompts: [this.#prompt('invalid-entry'), this.#prompt('goodbye')] },
        { type: 'hangup', reason: 'invalid-entries' },
      ];
    }
    this.#phase = this.#firstPhase;
    this.#roomNumber = this.#dialledRoom ?? '';
    this.#awaitingEntry = true;
    return [{ type: 'stop-playback' }, { type: 'play', prompts: [this.#prompt('invalid-entry'), this.#firstPrompt()] }];
  }

  #keypad(digit: DtmfDigit, at: number): IvrCommand[] {
    if (digit === '*') {
      this.#starAt = at;
      return [];
    }
    const started = this.#starAt;
    this.#starAt = undefined;
    if (started === undefined || at - started > this.#options.keypadCommandTimeoutMs) return [];
    const action = keypadAction(digit, this.#role);
    // The help is the menu's own: the keys this caller's role may use, from the keypad table.
    if (action?.type === 'help') return [{ type: 'play', prompts: [this.#prompt('help-intro'), ...keypadHelp(this.#role!).map((id) => this.#prompt(id))] }];
    return action ? [{ type: 'conference-action', action }] : [];
  }

  #conferenceNews(event: Exclude<IvrEvent, { type: 'digit' | 'tick' | 'playback-finished' }>): IvrCommand[] {
    if (this.#phase !== 'in-conference') return [];
    const play = (...ids: IvrPromptId[]): IvrCommand => ({ type: 'play', prompts: ids.map((id) => this.#prompt(id)) });
    switch (event.type) {
      case 'waiting-for-moderator':
        return [{ type: 'stop-playback' }, { type: 'play', prompts: [this.#prompt('waiting-for-moderator'), 'hold-music'], loop: true }];
      case 'waiting-for-admission':
        return [{ type: 'stop-playback' }, { type: 'play', prompts: [this.#prompt('waiting-for-admission'), 'hold-music'], loop: true }];
      case 'room-locked':
        this.#phase = 'finished';
        return [{ type: 'stop-playback' }, play('room-locked', 'goodbye'), { type: 'hangup', reason: 'room-locked' }];
      // The first words in the conference end with where the help is.
      case 'conference-started':
        return [{ type: 'stop-playback' }, play('conference-starts', 'help-hint')];
      case 'joined':
        return event.participantCount <= 1 ? [play('only-participant', 'help-hint')] : [];
      case 'presence':
        return [{ type: 'play', prompts: event.changes.map((change) => PRESENCE_TONE_KEYS[change]) }];
      case 'moderator-left':
        if (!event.waiting) return [play('moderator-left')];
        return [
          { type: 'stop-playback' },
          play('moderator-left'),
          { type: 'play', prompts: [this.#prompt('waiting-for-moderator-return'), 'hold-music'], loop: true },
        ];
      case 'mute-changed':
        return [play(event.muted ? 'muted' : 'unmuted')];
      case 'participant-count':
        if (event.count <= 1) return [play('only-participant')];
        return [
          {
            type: 'play',
            prompts: [
              this.#prompt('participant-count-before'),
              `${this.#language}/numbers/${Math.min(event.count, IVR_MAX_SPOKEN_NUMBER)}`,
              this.#prompt('participant-count-after'),
            ],
          },
        ];
      case 'lock-changed':
        return [play(event.locked ? 'conference-locked' : 'conference-unlocked')];
      case 'others-muted':
        return [play('others-muted')];
      case 'confirmation':
        return [play(event.prompt)];
      case 'conference-ended':
        this.#phase = 'finished';
        return [{ type: 'stop-playback' }, play('conference-ended', 'goodbye'), { type: 'hangup', reason: 'conference-ended' }];
    }
  }
}
