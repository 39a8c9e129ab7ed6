import type { JoinResponse } from '@konferenz/shared';

/** sessionStorage key of the current tab's conference join: a reload rejoins without the PIN. */
export const JOIN_STORAGE_KEY = 'konferenz.conference';

/** A token this close to its expiry is treated as expired: the socket would be refused anyway. */
const EXPIRY_MARGIN_MS = 5_000;

export type StoredJoin =
  | { status: 'valid'; join: JoinResponse }
  /** Was there, but has run out: the room number still prefills the join page. */
  | { status: 'expired'; roomNumber: string }
  | { status: 'none' };

/** The part of the Web Storage API used here, so tests can pass a Map-backed fake. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function tabStorage(): KeyValueStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (private mode, sandboxed frame)
  }
}

function isJoinResponse(value: unknown): value is JoinResponse {
  if (typeof value !== 'object' || value === null) return false;
  const join = value as Record<string, unknown>;
  return (
    ['token', 'roomNumber', 'participantId', 'displayName', 'expiresAt'].every((key) => typeof join[key] === 'string') &&
    (join.role === 'moderator' || join.role === 'participant')
  );
}

export function isJoinExpired(join: JoinResponse, now: number): boolean {
  const expiresAt = Date.parse(join.expiresAt);
  return !Number.isFinite(expiresAt) || expiresAt - EXPIRY_MARGIN_MS <= now;
}

export function saveJoin(join: JoinResponse, storage: KeyValueStorage | null = tabStorage()): void {
  try {
    storage?.setItem(JOIN_STORAGE_KEY, JSON.stringify(join));
  } catch {
    // not stored: a reload then asks for the PIN again
  }
}

/** The stored join of this tab; an expired or unreadable one is removed. */
export function readJoin(now: number = Date.now(), storage: KeyValueStorage | null = tabStorage()): StoredJoin {
  let parsed: unknown;
  try {
    const text = storage?.getItem(JOIN_STORAGE_KEY);
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!isJoinResponse(parsed)) {
    if (parsed !== null) clearJoin(storage);
    return { status: 'none' };
  }
  if (isJoinExpired(parsed, now)) {
    clearJoin(storage);
    return { status: 'expired', roomNumber: parsed.roomNumber };
  }
  return { status: 'valid', join: parsed };
}

export function clearJoin(storage: KeyValueStorage | null = tabStorage()): void {
  try {
    storage?.removeItem(JOIN_STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
