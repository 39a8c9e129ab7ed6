import type { Recording } from '@konferenz/testing/wav';
import type { InteropCell } from '../interop-cells';

/** Where a client sends its INVITE, and what it dials. */
export interface DialTarget {
  /** The SIP host and port it sends to: the product, or the proxy in front of it. */
  address: string;
  port: number;
  /** The request URI's user part: the room number (the menu then asks for the PIN only). */
  dialled: string;
  /** The caller's own number (From). */
  caller: string;
  /** The keys it types once the call is up. */
  keys: string;
  /** Who ends the call: the client (its BYE), or the product (the moderator removes it). */
  end: 'caller' | 'server';
  /** A folder of its own for config, scenario and recordings. */
  dir: string;
}

/** One call of a real SIP client, as the matrix drives it. */
export interface InteropCall {
  /**
   * What the client received and decoded (mono 16-bit), read after its hang-up (some clients
   * complete the file only then), or null when it cannot record (sipp: it echoes instead).
   */
  heard(): Recording | null;
  /** The client hangs up (`end: 'caller'`); resolves once its BYE was answered 200. */
  hangUp(): Promise<void>;
  /** Resolves once the product's BYE reached the client and it answered (`end: 'server'`). */
  hungUpByServer(): Promise<void>;
  /** Ends whatever is left (after a failure). */
  close(): void;
  /** The client's log, for failure messages. */
  log(): string;
}

export interface InteropClient {
  /** Whether the client sends what it hears back (sipp's RTP echo): then the far end hears its own tone through it. */
  readonly echoes: boolean;
  dial(cell: InteropCell, target: DialTarget, toneHz: number): Promise<InteropCall>;
}
