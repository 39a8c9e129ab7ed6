import { callerId, type SipCall } from '@konferenz/sip';

/** Who is trying a PIN by phone, as RoomAccess counts it (the shape of PinAttemptOrigin for a phone). */
export interface PhoneOrigin {
  via: 'phone';
  /** The address the INVITE came from: the network source its failures are counted under. */
  address: string;
  /** The caller's number: From's user part, or P-Asserted-Identity from a trusted trunk; 'anonymous' without one. */
  callerId: string;
  /** From a configured trusted trunk: its address is shared by all its callers, so the caller id counts instead. */
  trustedTrunk: boolean;
}

export function phoneOrigin(call: Pick<SipCall, 'remote' | 'origin'>): PhoneOrigin {
  return { via: 'phone', address: call.remote.address, callerId: callerId(call.origin.user), trustedTrunk: call.origin.trustedTrunk };
}
