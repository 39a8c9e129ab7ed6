import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { timingSafeEqual } from 'node:crypto';
import { DEFAULT_ROOM_SETTINGS, type ConferenceRole, type RoomSettings } from '@konferenz/shared';
import { User } from '../accounts/schemas/user.schema';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AttemptLimiter, type AttemptPolicy } from '../security/attempt-limiter.service';
import { SecretHasher } from '../security/secret-hasher';
import type { PinAttemptOrigin } from './pin-attempt-origin';
import { networkSource } from './pin-source';
import { RoomsService } from './rooms.service';

export interface RoomEntry {
  role: ConferenceRole;
}

/** The longest a whole room stays closed to guests under the exponential backoff. */
const MAX_ROOM_BACKOFF_MS = 15 * 60_000;
/** Wrong PINs one source may make per hour across all rooms; the next locks it out of every room. */
const MAX_FAILURES_PER_SOURCE_ALL_ROOMS = 30;
/** Under backoff only the moderator PIN opens a room; its own, larger budget keeps that from being an open door. */
const MODERATOR_BUDGET_FACTOR = 3;

function samePin(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The PIN check for every way into a room (browser now, phone next): PINs are short, so each
 * guess is paid for. Per source and room, a few failures lock that source out; across all
 * sources, failures beyond a threshold close the room to guests with a growing backoff. The
 * moderator PIN still opens a room under backoff, so an attack on the guest PIN cannot keep the
 * host out. Unknown rooms are checked (against a decoy hash) and counted exactly like real ones,
 * so neither the answer nor its timing tells whether a room exists.
 */
@Injectable()
export class RoomAccess {
  readonly #logger = new Logger('RoomAccess');
  readonly #sourcePolicy: AttemptPolicy;
  readonly #roomPolicy: AttemptPolicy;
  readonly #anyRoomPolicy: AttemptPolicy = { maxAttempts: MAX_FAILURES_PER_SOURCE_ALL_ROOMS, windowMs: 60 * 60_000, lockoutMs: 60 * 60_000 };
  readonly #moderatorUnderBackoffPolicy: AttemptPolicy;

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly rooms: RoomsService,
    private readonly hasher: SecretHasher,
    private readonly limiter: AttemptLimiter,
  ) {
    const { failuresPerSource, lockoutMs, roomBackoffAfter } = config.pinLimits;
    this.#sourcePolicy = { maxAttempts: failuresPerSource, windowMs: lockoutMs, lockoutMs };
    this.#roomPolicy = {
      maxAttempts: roomBackoffAfter,
      windowMs: 60 * 60_000,
      lockoutMs: (attempts) => Math.min(1000 * 2 ** (attempts - roomBackoffAfter - 1), MAX_ROOM_BACKOFF_MS),
    };
    this.#moderatorUnderBackoffPolicy = { maxAttempts: roomBackoffAfter * MODERATOR_BUDGET_FACTOR, windowMs: 60 * 60_000, lockoutMs: MAX_ROOM_BACKOFF_MS };
  }

  async enter(roomNumber: string, pin: string, origin: PinAttemptOrigin): Promise<RoomEntry> {
    const source = origin.via === 'browser' ? networkSource(origin.address) : `phone:${origin.callerId}`;
    const sourceKey = `pin-source:${source}:${roomNumber}`;
    const anyRoomKey = `pin-source:${source}`;
    const roomKey = `pin-room:${roomNumber}`;
    const moderatorKey = `pin-room-moderator:${roomNumber}`;
    if ((await this.limiter.isLocked(anyRoomKey)) || (await this.limiter.isLocked(moderatorKey))) throw new ApiException('TOO_MANY_REQUESTS');
    if (!(await this.limiter.consume(sourceKey, this.#sourcePolicy))) throw new ApiException('TOO_MANY_REQUESTS');
    const roomClosedToGuests = await this.limiter.isLocked(roomKey);
    const owner = await this.users.findOne({ 'room.number': roomNumber, deletedAt: null }).lean();
    const room = owner?.room;

    const role: ConferenceRole | null = (await this.hasher.verify(room?.moderatorPinHash, pin))
      ? 'moderator'
      : !roomClosedToGuests && room && this.#isParticipantPin(room, pin)
        ? 'participant'
        : null;
    if (role) {
      await this.limiter.refund(sourceKey);
      return { role };
    }
    this.#logger.warn(`Wrong PIN for room ${roomNumber} from ${source}`);
    await this.limiter.consume(anyRoomKey, this.#anyRoomPolicy);
    await this.limiter.consume(roomClosedToGuests ? moderatorKey : roomKey, roomClosedToGuests ? this.#moderatorUnderBackoffPolicy : this.#roomPolicy);
    throw new ApiException(roomClosedToGuests ? 'TOO_MANY_REQUESTS' : 'INVALID_ROOM_OR_PIN');
  }

  async settings(roomNumber: string): Promise<RoomSettings> {
    const owner = await this.users.findOne({ 'room.number': roomNumber, deletedAt: null }).select('room.settings').lean();
    return owner?.room.settings ?? DEFAULT_ROOM_SETTINGS;
  }

  /** A logged-in customer opening their own room: no PIN, the session is the proof. */
  async ownRoom(userId: string): Promise<{ roomNumber: string }> {
    const owner = await this.users.findOne({ _id: userId, deletedAt: null }).lean();
    if (!owner) throw new ApiException('UNAUTHENTICATED');
    return { roomNumber: owner.room.number };
  }

  #isParticipantPin(room: User['room'], pin: string): boolean {
    const participantPin = this.rooms.participantPin(room);
    return participantPin !== null && samePin(participantPin, pin);
  }
}
