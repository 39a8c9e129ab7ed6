import { ApiException } from '../common/api-exception';

/** Which node runs a live conference: this one (`owned`), or another one, reached at `nodeUrl`. */
export type RoomClaim = { owned: true } | { owned: false; nodeUrl: string };

/**
 * The one answer to "may this process run room N's conference?". In-process (one node) the answer
 * is always yes; with Redis, a node holds a lease on each room it runs, renewed while it runs it, so
 * two nodes never both run one room and a dead node's rooms are free again after the lease.
 */
export interface RoomOwnership {
  /**
   * Claims the room for this node, or says who holds it; a stopping node claims nothing and names
   * the holder or another live node. Throws SERVICE_UNAVAILABLE when that cannot be known.
   */
  claim(roomNumber: string): Promise<RoomClaim>;
  /** The conference here is over: the room is free for any node. */
  release(roomNumber: string): Promise<void>;
  /**
   * The node stops: every room it holds is freed at once and none is renewed or claimed again,
   * so other nodes take its conferences over while its browsers are being told to move.
   */
  releaseAll(): Promise<void>;
  /**
   * Which claimed rooms this node still runs. A claim is made before the conference opens (a
   * socket about to be seated); one that never led to a running conference (the socket went
   * away, opening failed) is let go after one lease instead of being renewed for ever.
   */
  holdWhile(running: (roomNumber: string) => boolean): void;
  /** Called when another node took a room this node held (this node was cut off longer than the lease). */
  onLost(listener: (roomNumber: string) => void): void;
}

export const ROOM_OWNERSHIP = Symbol('ROOM_OWNERSHIP');

/** The room runs on another node: the client connects there (`nodeUrl`, that node's own public URL). */
export class RoomOnOtherNode extends ApiException {
  constructor(readonly nodeUrl: string) {
    super('ROOM_ON_OTHER_NODE');
  }
}
