import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ConferenceMark, type ConferenceMarkKind } from './conference-mark.schema';
import type { ConferenceMarks } from './conference-marks';
import type { JoinClaims } from './join-token';

/** A moderator waits at most this long for a mark to be stored before being told it failed. */
const WRITE_TIMEOUT_MS = 3_000;

interface CachedMark {
  kind: ConferenceMarkKind;
  at: number;
}

/**
 * ConferenceMarks in the `conference_marks` collection. Reads are answered from memory (loaded at
 * start, written through), so reconnecting participants do not depend on the database being up;
 * writes go to the database first and fail loudly. A mark lasts one join-token lifetime: by then
 * every token it refuses has expired anyway (a lock is confirmed while its conference runs).
 */
@Injectable()
export class MongoConferenceMarks implements ConferenceMarks, OnModuleInit {
  readonly #logger = new Logger('ConferenceMarks');
  readonly #cache = new Map<string, CachedMark>();
  #loading: Promise<void> | undefined;

  constructor(
    @InjectModel(ConferenceMark.name) private readonly marks: Model<ConferenceMark>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.#loaded().catch((error: Error) => this.#logger.warn(`Conference marks not loaded yet, retrying on first use: ${error.message}`));
  }

  markRemoved(roomNumber: string, participantId: string): Promise<void> {
    return this.#write('removed', participantId, roomNumber);
  }

  markEnded(roomNumber: string): Promise<void> {
    return this.#write('ended', roomNumber, roomNumber);
  }

  async setLocked(roomNumber: string, locked: boolean): Promise<void> {
    if (locked) return this.#write('locked', roomNumber, roomNumber);
    const key = keyOf('locked', roomNumber);
    await this.#guard(this.marks.deleteOne({ key }).exec());
    this.#cache.delete(key);
  }

  async confirmLocked(roomNumbers: string[], now = Date.now()): Promise<void> {
    const keys = roomNumbers.map((room) => keyOf('locked', room));
    if (keys.length > 0) await this.#guard(this.marks.updateMany({ key: { $in: keys } }, { $set: { at: new Date(now) } }).exec());
    for (const key of keys) {
      const cached = this.#cache.get(key);
      if (cached) cached.at = now;
    }
    await this.#sweep(now);
  }

  async admits(claims: JoinClaims, now = Date.now()): Promise<boolean> {
    await this.#usable();
    if (this.#valid(keyOf('removed', claims.pid), now)) return false;
    const ended = this.#valid(keyOf('ended', claims.room), now);
    return !ended || ended.at < claims.iat;
  }

  async isLocked(roomNumber: string, now = Date.now()): Promise<boolean> {
    await this.#usable();
    return !!this.#valid(keyOf('locked', roomNumber), now);
  }

  async #write(kind: ConferenceMarkKind, subject: string, room: string, now = Date.now()): Promise<void> {
    const key = keyOf(kind, subject);
    await this.#guard(this.marks.updateOne({ key }, { $set: { kind, room, at: new Date(now) } }, { upsert: true }).exec());
    this.#cache.set(key, { kind, at: now });
  }

  #valid(key: string, now: number): CachedMark | undefined {
    const mark = this.#cache.get(key);
    return mark && now - mark.at <= this.config.conference.tokenTtlMs ? mark : undefined;
  }

  async #sweep(now: number): Promise<void> {
    const cutoff = now - this.config.conference.tokenTtlMs;
    for (const [key, mark] of this.#cache) if (mark.at < cutoff) this.#cache.delete(key);
    await this.#guard(this.marks.deleteMany({ at: { $lt: new Date(cutoff) } }).exec());
  }

  async #usable(): Promise<void> {
    try {
      await this.#loaded();
    } catch (error) {
      this.#logger.warn(`Conference marks unavailable: ${(error as Error).message}`);
      throw new ApiException('SERVICE_UNAVAILABLE');
    }
  }

  /** Loads the marks once; a failed load is tried again by the next caller. */
  #loaded(): Promise<void> {
    this.#loading ??= withTimeout(this.marks.find({}, { key: 1, kind: 1, at: 1 }).lean().exec()).then(
      (marks) => {
        for (const mark of marks) if (!this.#cache.has(mark.key)) this.#cache.set(mark.key, { kind: mark.kind, at: mark.at.getTime() });
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  async #guard<T>(operation: Promise<T>): Promise<T> {
    try {
      return await withTimeout(operation);
    } catch (error) {
      this.#logger.error(`Could not store a conference mark: ${(error as Error).message}`);
      throw new ApiException('SERVICE_UNAVAILABLE');
    }
  }
}

function keyOf(kind: ConferenceMarkKind, subject: string): string {
  return `${kind}:${subject}`;
}

function withTimeout<T>(operation: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the database within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
  });
  return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
}
