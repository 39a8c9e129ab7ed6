import type { RoomClaim, RoomOwnership } from './room-ownership';

/** One node (the embedded default): every room is this process's. */
export class InProcessRoomOwnership implements RoomOwnership {
  async claim(): Promise<RoomClaim> {
    return { owned: true };
  }

  async release(): Promise<void> {}

  async releaseAll(): Promise<void> {}

  holdWhile(): void {}

  onLost(): void {}
}
