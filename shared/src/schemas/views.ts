import type { CountryCode } from '../constants/countries';
import type { Language } from '../constants/languages';

export interface AddressView {
  street: string;
  houseNumber: string;
  postalCode: string;
  city: string;
  country: CountryCode;
}

/** What the customer area shows; the room number is read-only everywhere. */
export interface AccountView {
  username: string;
  email: string;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  company?: string;
  phone?: string;
  address: AddressView;
  language: Language;
  roomNumber: string;
  pinsSet: boolean;
  /** Shown so the moderator can share it; null until the first-login PIN setup. */
  participantPin: string | null;
  joinUrl: string;
  /** How to join by phone: the configured dial-in numbers and, when the SIP gateway is on, a SIP URI for this room. */
  dialIn: DialInView;
}

export interface DialInView {
  /** `DIAL_IN_NUMBERS`, as configured; empty when unset. */
  numbers: string[];
  /** `sip:<room>@<SIP_PUBLIC_HOST>:<SIP_PORT>`; null when `SIP_PORT` is 0. */
  sipUri: string | null;
}

export interface SessionView {
  authenticated: boolean;
  username?: string;
  pinsSet?: boolean;
  language?: Language;
}

/** Same body whether or not the email was already registered, so the form cannot be used to probe addresses. */
export interface RegisterResponse {
  status: 'check-your-mailbox';
}

/** `already-verified`: the link was used before; the address stays confirmed. */
export interface VerifyEmailResponse {
  status: 'verified' | 'already-verified';
}

/** `GET /healthz`: the process answers. */
export interface LivenessView {
  status: 'ok';
}

/** `GET /readyz`, 503 when unavailable: each part the server needs, so the one that is down is named. */
export interface ReadinessView {
  status: 'ready' | 'unavailable';
  /** 'up', or 'down: <reason>', per part. */
  parts: Record<string, string>;
}
