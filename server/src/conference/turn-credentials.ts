import { createHmac } from 'node:crypto';
import type { TransportOptionsView } from '@konferenz/shared';
import type { AppConfig } from '../config/app-config';

/**
 * Time-limited TURN credentials as coturn's `use-auth-secret` expects them: the username is the
 * expiry time, the password an HMAC of it with the shared secret. Nothing to store, and a leaked
 * credential stops working on its own.
 */
export function iceServers(turn: AppConfig['turn'], participantId: string, now = Date.now()): TransportOptionsView['iceServers'] {
  if (!turn) return [];
  const username = `${Math.floor((now + turn.ttlMs) / 1000)}:${participantId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return [{ urls: turn.urls, username, credential }];
}
