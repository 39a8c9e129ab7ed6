/**
 * Who is trying a PIN, as the way in knows it. RoomAccess turns this into the budgets it counts
 * against; the caller only reports facts (the network address, and for phones the caller id and
 * whether the call came from a configured trusted trunk).
 */
export type PinAttemptOrigin =
  /** `address` is request.ip (after TRUST_PROXY). */
  | { via: 'browser'; address: string }
  /** `address` is the SIP signalling source; `callerId` is From, or P-Asserted-Identity from a trusted trunk. */
  | { via: 'phone'; address: string; callerId: string; trustedTrunk: boolean };
