import type { MongooseModuleOptions } from '@nestjs/mongoose';

/**
 * Every way a database call can wait, bounded so that a database that is down or stalled
 * (SIGSTOP: the kernel still accepts connections, nothing answers) costs a call at most about
 * `timeoutMs` before the request answers 503. The driver retries a read or write that failed on
 * the network once, so each attempt gets half: waiting for the pool's one connection, opening a
 * connection, waiting for a reply. Finding the server and mongoose's own queue while it is
 * disconnected happen once and get the whole limit. A queue wait of half the limit is hundreds
 * of normal operations: past it the database is overloaded, and 503 is the honest answer. The
 * driver's timeoutMS would say this in one option, but driver 7 ignores it. (Mongoose reads
 * bufferTimeoutMS from the connection options; its types only list it for schemas.)
 */
export function databaseTimeouts(timeoutMs: number): MongooseModuleOptions & { bufferTimeoutMS: number } {
  const perAttempt = Math.ceil(timeoutMs / 2);
  return {
    serverSelectionTimeoutMS: timeoutMs,
    bufferTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: perAttempt,
    connectTimeoutMS: perAttempt,
    socketTimeoutMS: perAttempt,
  };
}
