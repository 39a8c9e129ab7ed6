/**
 * Bounds on what the phone gateway accepts from the network. A SIP request for a conference
 * call is a few kilobytes at most; anything far larger is an attack or a broken peer.
 */
export const SIP_LIMITS = {
  /** A whole message (start line, headers, body); larger ones get 513 or are dropped. */
  maxMessageBytes: 16_384,
  /** Start line and headers up to the blank line. */
  maxHeaderSectionBytes: 8_192,
  /** One header line after unfolding. */
  maxHeaderLineBytes: 2_048,
  maxHeaderCount: 96,
  /** Enough for an SDP offer with every audio codec a phone knows. */
  maxBodyBytes: 8_192,
  maxViaCount: 16,
  maxUriLength: 512,
  maxCallIdLength: 256,
  maxTagLength: 128,
} as const;

/** The methods the gateway understands; everything else is refused. */
export const SIP_ALLOWED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO'] as const;
export type SipAllowedMethod = (typeof SIP_ALLOWED_METHODS)[number];

/** Methods a SIP peer may send that the gateway knows and refuses with 405 (it is no registrar, proxy or presence server). */
export const SIP_REFUSED_METHODS = ['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE', 'REFER', 'PRACK', 'UPDATE'] as const;

/** The SIP extensions (option tags) the gateway supports: session timers (RFC 4028). */
export const SIP_SUPPORTED_EXTENSIONS = ['timer'] as const;

/** RFC 4028: the shortest session interval accepted, and the one proposed when the caller names none. */
export const SIP_MIN_SESSION_EXPIRES = 90;
