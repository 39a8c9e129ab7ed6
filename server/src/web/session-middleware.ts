import MongoStore from 'connect-mongo';
import type { CookieOptions } from 'express';
import session from 'express-session';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config/app-config';

export const SESSION_COOKIE = 'konferenz.sid';
export const SESSIONS_COLLECTION = 'sessions';

/** Also used to clear the cookie: browsers only drop it when name, path and flags match. */
export function sessionCookieOptions(config: AppConfig) {
  return { httpOnly: true, sameSite: 'lax', secure: config.session.secureCookie, path: '/' } satisfies CookieOptions;
}

/**
 * Sessions live in the database so a restart does not log everyone out. Expired ones are removed
 * by SessionSweep, not by the store: the embedded FerretDB has no TTL indexes, and connect-mongo's
 * own interval sweep deletes unacknowledged (w:0), which breaks our one database connection.
 */
export function sessionMiddleware(config: AppConfig, connection: Connection) {
  return session({
    name: SESSION_COOKIE,
    secret: config.secrets.session,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { ...sessionCookieOptions(config), maxAge: config.session.maxAgeMs },
    store: MongoStore.create({
      client: connection.getClient() as never,
      collectionName: SESSIONS_COLLECTION,
      ttl: config.session.maxAgeMs / 1000,
      autoRemove: 'disabled',
    }),
  });
}
