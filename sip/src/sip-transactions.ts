import type { SipRequest, SipResponse } from './sip-message';
import type { SipPeer } from './sip-transport';

/** RFC 3261 §17 timer base values; tests may shorten them. */
export interface SipTimers {
  /** RTT estimate (500 ms). */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses (4 s). */
  t2: number;
  /** How long a message may stay in the network (5 s). */
  t4: number;
}

export const RFC3261_TIMERS: SipTimers = { t1: 500, t2: 4000, t4: 5000 };

type Send = (message: string) => void;

/** The key that ties retransmissions, ACKs for non-2xx and CANCELs to their request (RFC 3261 §17.2.3). */
export function serverTransactionKey(request: Pick<SipRequest, 'method' | 'headers'>, method = request.method): string {
  const via = request.headers.via[0]!;
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ''}`;
  return `${via.params.branch}|${sentBy}|${method === 'ACK' ? 'INVITE' : method}`;
}

/**
 * One server transaction (RFC 3261 §17.2, with RFC 6026's Accepted state for INVITE): it answers
 * retransmitted requests with the last response, retransmits final non-2xx INVITE responses over
 * UDP until the ACK arrives, and lingers long enough to absorb late copies. 2xx responses to an
 * INVITE are retransmitted by the dialog (RFC 3261 §13.3.1.4), not here.
 */
export class ServerTransaction {
  state: 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated' = 'proceeding';
  #lastResponse?: string;
  #retransmitTimer?: NodeJS.Timeout;
  #endTimer?: NodeJS.Timeout;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly peer: SipPeer,
    private readonly send: Send,
    private readonly reliable: boolean,
    private readonly timers: SipTimers,
    private readonly onTerminated: (transaction: ServerTransaction) => void,
  ) {}

  get isInvite(): boolean {
    return this.request.method === 'INVITE';
  }

  get finalSent(): boolean {
    return this.state !== 'proceeding';
  }

  respond(status: number, message: string): void {
    if (this.state === 'terminated') return;
    if (this.state !== 'proceeding') {
      // A second final response is a bug in the caller; never put two on the wire.
      return;
    }
    this.#lastResponse = message;
    this.send(message);
    if (status < 200) return;
    const { t1, t2 } = this.timers;
    if (!this.isInvite) {
      this.state = 'completed';
      this.#end(this.reliable ? 0 : 64 * t1); // Timer J
      return;
    }
    if (status < 300) {
      this.state = 'accepted';
      this.#end(64 * t1); // RFC 6026 Timer L
      return;
    }
    this.state = 'completed';
    if (!this.reliable) {
      const retransmit = (interval: number) => {
        this.#retransmitTimer = setTimeout(() => {
          this.send(message);
          retransmit(Math.min(interval * 2, t2)); // Timer G
        }, interval);
      };
      retransmit(t1);
    }
    this.#endTimer = setTimeout(() => this.terminate(), 64 * t1); // Timer H: no ACK came
  }

  /** A copy of the request arrived again. */
  retransmitted(): void {
    if (this.state === 'proceeding' || this.state === 'completed') {
      if (this.#lastResponse) this.send(this.#lastResponse);
    }
  }

  /** The ACK for a non-2xx final response. */
  acknowledged(): void {
    if (this.state !== 'completed' || !this.isInvite) return;
    this.state = 'confirmed';
    clearTimeout(this.#retransmitTimer);
    clearTimeout(this.#endTimer);
    this.#end(this.reliable ? 0 : this.timers.t4); // Timer I
  }

  #end(after: number): void {
    clearTimeout(this.#endTimer);
    if (after <= 0) {
      this.terminate();
      return;
    }
    this.#endTimer = setTimeout(() => this.terminate(), after);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    clearTimeout(this.#retransmitTimer);
    clearTimeout(this.#endTimer);
    this.onTerminated(this);
  }
}

/**
 * A non-INVITE client transaction (RFC 3261 §17.1.2): the gateway only ever sends BYE, inside a
 * dialog the caller started. Retransmits over UDP (Timer E), gives up after 64·T1 (Timer F).
 */
export class ClientTransaction {
  #done = false;
  #retransmitTimer?: NodeJS.Timeout;
  #timeoutTimer?: NodeJS.Timeout;

  constructor(
    readonly branch: string,
    readonly method: string,
    private readonly message: string,
    private readonly send: Send,
    private readonly reliable: boolean,
    private readonly timers: SipTimers,
    private readonly onDone: (transaction: ClientTransaction, outcome: number | 'timeout') => void,
  ) {}

  start(): void {
    this.send(this.message);
    if (!this.reliable) {
      const retransmit = (interval: number) => {
        this.#retransmitTimer = setTimeout(() => {
          this.send(this.message);
          retransmit(Math.min(interval * 2, this.timers.t2));
        }, interval);
      };
      retransmit(this.timers.t1);
    }
    this.#timeoutTimer = setTimeout(() => this.#finish('timeout'), 64 * this.timers.t1);
  }

  received(response: SipResponse): void {
    if (this.#done) return;
    if (response.status < 200) {
      // Proceeding: keep retransmitting at T2 (RFC 3261 §17.1.2.2), still bounded by Timer F.
      return;
    }
    this.#finish(response.status);
  }

  #finish(outcome: number | 'timeout'): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#retransmitTimer);
    clearTimeout(this.#timeoutTimer);
    this.onDone(this, outcome);
  }

  cancel(): void {
    this.#done = true;
    clearTimeout(this.#retransmitTimer);
    clearTimeout(this.#timeoutTimer);
  }
}
