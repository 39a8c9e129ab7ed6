import { ApiException } from '../../src/common/api-exception';
import type { ConferenceMarks } from '../../src/conference/conference-marks';
import type { JoinClaims } from '../../src/conference/join-token';

/**
 * ConferenceMarks in memory for unit tests, answering `admits` like MongoConferenceMarks (a
 * removal refuses the participant's every token, an end only the tokens issued before it; marks
 * never expire here). `failing` makes every write reject as an unreachable database does.
 */
export class InMemoryConferenceMarks implements ConferenceMarks {
  readonly removed = new Set<string>();
  readonly endedAt = new Map<string, number>();
  readonly locked = new Set<string>();
  readonly confirmed: string[][] = [];
  failing = false;

  async markRemoved(_roomNumber: string, participantId: string): Promise<void> {
    this.#write();
    this.removed.add(participantId);
  }

  async markEnded(roomNumber: string): Promise<void> {
    this.#write();
    this.endedAt.set(roomNumber, Date.now());
  }

  async setLocked(roomNumber: string, locked: boolean): Promise<void> {
    this.#write();
    if (locked) this.locked.add(roomNumber);
    else this.locked.delete(roomNumber);
  }

  async confirmLocked(roomNumbers: string[]): Promise<void> {
    this.confirmed.push(roomNumbers);
  }

  async admits(claims: JoinClaims): Promise<boolean> {
    if (this.removed.has(claims.pid)) return false;
    const ended = this.endedAt.get(claims.room);
    return ended === undefined || ended < claims.iat;
  }

  async isLocked(roomNumber: string): Promise<boolean> {
    return this.locked.has(roomNumber);
  }

  #write(): void {
    if (this.failing) throw new ApiException('SERVICE_UNAVAILABLE');
  }
}
