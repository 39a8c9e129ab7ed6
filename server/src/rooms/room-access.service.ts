import { Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { withDefaultRoomSettings, type ConferenceRole, type RoomSettings } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MailService } from '../mail/mail.service';
import { roomUnderAttackMail } from '../mail/templates/room-under-attack-mail';
import { AttemptLimiter, type AttemptPolicy } from '../security/attempt-limiter.service';
import { networkSource } from '@konferenz/sip';
import { SecretHasher } from '../security/secret-hasher';
import type { PersonalRoom } from '../users/personal-room.schema';
import { USERS_REPOSITORY, type UsersRepository } from '../users/users-repository';
import type { PinAttemptOrigin } from './pin-attempt-origin';
import { RoomsService } from './rooms.service';

export interface RoomEntry {
  role: ConferenceRole;
}

/** The longest a whole room stays closed to guests under the exponential backoff. */
const MAX_ROOM_BACKOFF_MS = 15 * 60_000;
/** Wrong PINs one source may make per hour across all rooms; the next locks it out of every room. */
const MAX_FAILURES_PER_SOURCE_ALL_ROOMS = 30;
/**
 * A trusted trunk brings every caller from one address, so its callers are counted by caller id;
 * the trunk address itself still gets a budget per room, this many times a single source's, so a
 * trunk cannot be used as an unlimited guessing machine by spoofing caller ids.
 */
const TRUNK_BUDGET_FACTOR = 20;
/**
 * While a room is closed to guests, the moderator PIN is still checked, but room-wide at most
 * once per this interval (whoever asks): a throttle, not a lock, so other people's failures can
 * delay the moderator by seconds but never keep them out. It bounds the guessing of the
 * moderator PIN under attack to 3600 / 3 = 1200 guesses per hour.
 */
const MODERATOR_TURN_INTERVAL_MS = 3_000;
/** The longest a PIN check waits for its turn, or for checks in flight; below the phone menu's 4 s. */
const MAX_WAIT_MS = 3_000;
/** The owner hears about an attack on their room at most this often. */
const ATTACK_MAIL_QUIET_HOURS = 6;

interface Budget {
  key: string;
  policy: AttemptPolicy;
}

function samePin(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A refusal for an exhausted budget, thrown after the held budgets were given back; any other error left them held. */
const settledRefusal = (error: unknown) => error instanceof ApiException && error.code === 'TOO_MANY_REQUESTS';

/**
 * The PIN check for every way into a room (browser and phone): PINs are short, so each wrong
 * guess is paid for. Each origin has its budgets (see #budgets); only wrong PINs use them up,
 * correct ones and checks broken by a server error are given back (AttemptLimiter.reserve keeps a
 * burst of wrong guesses within the budget all the same). The room has such a budget too,
 * across all sources: once its failures fill it, the room is closed to guests (participant PIN
 * refused) until its hour is over, each further failure extending the lockout, and the owner is
 * told by mail; the moderator PIN is then throttled room-wide, never locked, so an attack cannot
 * keep the host out. Unknown rooms are checked (against a decoy hash) and counted exactly like real ones, so neither
 * the answer nor its timing tells whether a room exists. A refused browser is told its own tries
 * left, or when its lockout ends (#attemptsLeft, #retryAt).
 */
@Injectable()
export class RoomAccess {
  readonly #logger = new Logger('RoomAccess');
  readonly #sourcePolicy: AttemptPolicy;
  readonly #trunkPolicy: AttemptPolicy;
  readonly #roomPolicy: AttemptPolicy;
  readonly #anyRoomPolicy: AttemptPolicy = { maxAttempts: MAX_FAILURES_PER_SOURCE_ALL_ROOMS, windowMs: 60 * 60_000, lockoutMs: 60 * 60_000 };
  readonly #attackMailPolicy: AttemptPolicy = { maxAttempts: 1, windowMs: ATTACK_MAIL_QUIET_HOURS * 60 * 60_000, lockoutMs: 0 };
  readonly #accountUrl: string;

  constructor(
    @Inject(USERS_REPOSITORY) private readonly users: UsersRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rooms: RoomsService,
    private readonly hasher: SecretHasher,
    private readonly limiter: AttemptLimiter,
    private readonly mail: MailService,
  ) {
    const { failuresPerSource, lockoutMs, roomBackoffAfter } = config.pinLimits;
    this.#sourcePolicy = { maxAttempts: failuresPerSource, windowMs: lockoutMs, lockoutMs };
    this.#trunkPolicy = { maxAttempts: failuresPerSource * TRUNK_BUDGET_FACTOR, windowMs: lockoutMs, lockoutMs };
    this.#roomPolicy = {
      maxAttempts: roomBackoffAfter,
      windowMs: 60 * 60_000,
      lockoutMs: (attempts) => Math.min(1000 * 2 ** (attempts - roomBackoffAfter - 1), MAX_ROOM_BACKOFF_MS),
    };
    this.#accountUrl = `${config.publicUrl}/account`;
  }

  async enter(roomNumber: string, pin: string, origin: PinAttemptOrigin): Promise<RoomEntry> {
    const roomKey = roomBudgetKey(roomNumber);
    const budgets = this.#budgets(roomNumber, origin);
    const held = await this.#reserveAll(budgets, origin);
    let roomOpen = false;
    let role: ConferenceRole | null;
    try {
      // The room's budget is reserved like a source's, so a burst from many addresses gets no more
      // unthrottled checks than the budget either; once its failures fill it, the room is closed.
      roomOpen = await this.limiter.reserve(roomKey, this.#roomPolicy, MAX_WAIT_MS);
      if (!roomOpen && !(await this.limiter.takeTurn(`pin-room-turn:${roomNumber}`, MODERATOR_TURN_INTERVAL_MS, MAX_WAIT_MS))) {
        await this.#settle(held, 'refund');
        throw new ApiException('TOO_MANY_REQUESTS');
      }
      role = await this.#check(roomNumber, pin, !roomOpen);
    } catch (error) {
      // A check the server could not make is not a wrong PIN: give the budgets back, report the error.
      // In the background: the caller should hear about the outage now, not after another timeout.
      if (!settledRefusal(error)) void this.#settle(roomOpen ? [...held, roomKey] : held, 'refund');
      throw error;
    }
    if (role) {
      await this.#settle(roomOpen ? [...held, roomKey] : held, 'refund');
      return { role };
    }
    this.#logger.warn(`Wrong PIN for room ${roomNumber} from ${originForLog(origin)}`);
    if (roomOpen) {
      await this.#settle([...held, roomKey], 'fail');
      throw new ApiException('INVALID_ROOM_OR_PIN', [], { attemptsLeft: await this.#attemptsLeft(budgets, origin) });
    }
    await this.#settle(held, 'fail');
    await this.#tellOwnerOnce(roomNumber, await this.limiter.failWhileLocked(roomKey, this.#roomPolicy));
    throw new ApiException('TOO_MANY_REQUESTS');
  }

  /**
   * New PINs end a guessing attack (the owner's mail advises them): guests who get the new PIN
   * need not wait out the room's backoff that the old one's guessers caused.
   */
  async reopenToGuests(roomNumber: string): Promise<void> {
    await this.limiter.clear(roomBudgetKey(roomNumber));
  }

  async settings(roomNumber: string): Promise<RoomSettings> {
    return withDefaultRoomSettings(await this.users.findRoomSettings(roomNumber));
  }

  /** A logged-in customer opening their own room: no PIN, the session is the proof. */
  async ownRoom(userId: string): Promise<{ roomNumber: string }> {
    const owner = await this.users.findActive(userId);
    if (!owner) throw new ApiException('UNAUTHENTICATED');
    return { roomNumber: owner.room.number };
  }

  /**
   * Whose failures a guess counts against. A browser, and a phone from an untrusted source, are
   * counted per network source (IPv4 address, IPv6 /64), in this room and across all rooms. A
   * phone's caller id is written by the caller, so for untrusted sources it is only an extra
   * budget (an anonymous caller shares none: that would let one caller lock out all anonymous
   * callers); behind a trusted trunk it is the caller's identity, and the trunk's address gets a
   * large budget per room on top. An anonymous caller behind a trunk has no identity to count:
   * only the trunk's budget, never one bucket shared by every anonymous caller of every trunk.
   */
  #budgets(roomNumber: string, origin: PinAttemptOrigin): Budget[] {
    const source = networkSource(origin.address);
    const perSource = (name: string): Budget[] => [
      { key: `pin-try:${name}:${roomNumber}`, policy: this.#sourcePolicy },
      { key: `pin-try:${name}`, policy: this.#anyRoomPolicy },
    ];
    if (origin.via === 'browser') return perSource(source);
    const caller = `phone:${origin.callerId}`;
    const trunk = { key: `pin-try:trunk:${source}:${roomNumber}`, policy: this.#trunkPolicy };
    if (origin.trustedTrunk) return origin.callerId === 'anonymous' ? [trunk] : [...perSource(caller), trunk];
    return origin.callerId === 'anonymous' ? perSource(source) : [...perSource(source), ...perSource(caller)];
  }

  async #reserveAll(budgets: Budget[], origin: PinAttemptOrigin): Promise<string[]> {
    const held: string[] = [];
    try {
      for (const { key, policy } of budgets) {
        if (!(await this.limiter.reserve(key, policy, MAX_WAIT_MS))) {
          await this.#settle(held, 'refund');
          throw new ApiException('TOO_MANY_REQUESTS', [], { retryAt: await this.#retryAt(budgets, origin) });
        }
        held.push(key);
      }
    } catch (error) {
      if (!settledRefusal(error)) void this.#settle(held, 'refund');
      throw error;
    }
    return held;
  }

  /** A browser's failures left before its source is locked out: the fewest any of its budgets allows. */
  #attemptsLeft(budgets: Budget[], origin: PinAttemptOrigin): Promise<number | undefined> {
    return this.#toldToBrowser(origin, async () => Math.min(...(await Promise.all(budgets.map(({ key, policy }) => this.limiter.remaining(key, policy))))));
  }

  /**
   * When a locked-out browser may try again: when the last lock of its source's budgets ends.
   * None when nothing is locked (refused after waiting too long for checks in flight).
   */
  #retryAt(budgets: Budget[], origin: PinAttemptOrigin): Promise<Date | undefined> {
    return this.#toldToBrowser(origin, async () => {
      const ends = (await Promise.all(budgets.map(({ key }) => this.limiter.lockedUntil(key)))).filter((until) => until !== null);
      return ends.length > 0 ? new Date(Math.max(...ends.map((until) => until.getTime()))) : undefined;
    });
  }

  /**
   * Details of a refusal, for browsers only: their budgets are their own network source's (a
   * phone's may be a trunk's, shared with other callers, and its menu does not read them out).
   * Best effort: the refusal is the answer, its details are not worth an error of their own.
   */
  async #toldToBrowser<T>(origin: PinAttemptOrigin, read: () => Promise<T>): Promise<T | undefined> {
    if (origin.via !== 'browser') return undefined;
    return read().catch(() => undefined);
  }

  /** Best effort: when the database is gone, the error that matters is the one already thrown. */
  async #settle(keys: string[], outcome: 'refund' | 'fail'): Promise<void> {
    const results = await Promise.allSettled(keys.map((key) => (outcome === 'fail' ? this.limiter.fail(key) : this.limiter.refund(key))));
    for (const result of results) {
      if (result.status === 'rejected') this.#logger.error(`Could not settle a PIN budget (${outcome}): ${(result.reason as Error).message}`);
    }
  }

  async #check(roomNumber: string, pin: string, closedToGuests: boolean): Promise<ConferenceRole | null> {
    const owner = await this.users.findActiveByRoomNumber(roomNumber);
    const room = owner?.room;
    if (await this.hasher.verify(room?.moderatorPinHash, pin)) return 'moderator';
    return !closedToGuests && room && this.#isParticipantPin(room, pin) ? 'participant' : null;
  }

  async #tellOwnerOnce(roomNumber: string, failures: number): Promise<void> {
    const owner = await this.users.findActiveByRoomNumber(roomNumber);
    if (!owner || !(await this.limiter.consume(`pin-room-attack-mail:${roomNumber}`, this.#attackMailPolicy))) return;
    this.#logger.warn(`Room ${roomNumber} closed to guests after ${failures} wrong PINs; telling its owner`);
    this.mail.sendInBackground(
      owner.email,
      roomUnderAttackMail({
        language: owner.language,
        firstName: owner.firstName,
        lastName: owner.lastName,
        roomNumber,
        failures,
        accountUrl: this.#accountUrl,
        quietHours: ATTACK_MAIL_QUIET_HOURS,
      }),
    );
  }

  #isParticipantPin(room: PersonalRoom, pin: string): boolean {
    const participantPin = this.rooms.participantPin(room);
    return participantPin !== null && samePin(participantPin, pin);
  }
}

function originForLog(origin: PinAttemptOrigin): string {
  return origin.via === 'browser' ? origin.address : `phone ${origin.callerId} via ${origin.address}${origin.trustedTrunk ? ' (trusted trunk)' : ''}`;
}

function roomBudgetKey(roomNumber: string): string {
  return `pin-room:${roomNumber}`;
}
