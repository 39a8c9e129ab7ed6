/** Personal room numbers have a fixed length so phone callers always type the same count of digits. */
export const ROOM_NUMBER_LENGTH = 8;

/**
 * Six digits give a million combinations; with the per-source and per-room lockouts that is far
 * beyond what an attacker can try, while still being easy to type on a phone keypad.
 */
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 8;

/** NIST 800-63B: at least 8, we ask 10; long passphrases must fit. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;

/** Upper bound for free-text profile fields (names, street, city, company). */
export const TEXT_FIELD_MAX_LENGTH = 100;
