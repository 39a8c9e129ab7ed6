import { Inject, Injectable, Logger } from '@nestjs/common';
import { pinProblem, type PinSetupRequest } from '@konferenz/shared';
import { ApiException } from '../common/api-exception';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SecretHasher } from '../security/secret-hasher';
import type { PersonalRoom } from '../users/personal-room.schema';
import { generateAccessPin } from './access-pin-generator';
import { ParticipantPinCipher } from './participant-pin-cipher';
import { generateRoomNumber } from './room-number-generator';

export type RoomPins = Pick<PersonalRoom, 'moderatorPinHash' | 'participantPinCipher' | 'pinsSet'>;

/** Room numbers and PINs: how they are made, stored and changed. Persistence is the caller's. */
@Injectable()
export class RoomsService {
  readonly #logger = new Logger('Rooms');
  readonly #cipher: ParticipantPinCipher;

  constructor(
    private readonly hasher: SecretHasher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.#cipher = new ParticipantPinCipher(config.secrets.pinEncryptionKey);
  }

  /** A fresh room whose moderator PIN is the mailed access PIN until the customer sets their own. */
  async openPersonalRoom(): Promise<{ room: PersonalRoom; accessPin: string }> {
    const number = generateRoomNumber();
    const accessPin = generateAccessPin(number);
    const room: PersonalRoom = {
      number,
      moderatorPinHash: await this.hasher.hash(accessPin),
      participantPinCipher: null,
      pinsSet: false,
      retiredAt: null,
    };
    return { room, accessPin };
  }

  /** Picks another number after a unique-index collision, keeping the same access PIN. */
  renumber(room: PersonalRoom, accessPin: string): PersonalRoom {
    let number = generateRoomNumber();
    while (pinProblem(accessPin, number)) number = generateRoomNumber();
    return { ...room, number };
  }

  async initialPins(setup: PinSetupRequest): Promise<RoomPins> {
    return {
      moderatorPinHash: await this.hasher.hash(setup.moderatorPin),
      participantPinCipher: this.#cipher.encrypt(setup.participantPin),
      pinsSet: true,
    };
  }

  async moderatorPinHash(room: PersonalRoom, pin: string): Promise<string> {
    if (this.participantPin(room) === pin) {
      throw new ApiException('VALIDATION_FAILED', [{ field: 'pin', code: 'validation.pin.same' }]);
    }
    return this.hasher.hash(pin);
  }

  async participantPinCipher(room: PersonalRoom, pin: string): Promise<string> {
    if (await this.hasher.verify(room.moderatorPinHash, pin)) {
      throw new ApiException('VALIDATION_FAILED', [{ field: 'pin', code: 'validation.pin.same' }]);
    }
    return this.#cipher.encrypt(pin);
  }

  /**
   * Null when none is set, and when the stored one cannot be decrypted (PIN_ENCRYPTION_KEY changed,
   * value damaged): the customer area must still open, so the customer can set a new one.
   */
  participantPin(room: PersonalRoom): string | null {
    if (!room.participantPinCipher) return null;
    try {
      return this.#cipher.decrypt(room.participantPinCipher);
    } catch (error) {
      this.#logger.warn(`Participant PIN of room ${room.number} cannot be decrypted: ${(error as Error).message}`);
      return null;
    }
  }

  /** What stays of a deleted customer's room: the number, so it is never given out again. */
  retired(room: PersonalRoom, now: Date): PersonalRoom {
    return { number: room.number, moderatorPinHash: null, participantPinCipher: null, pinsSet: false, retiredAt: now };
  }
}
