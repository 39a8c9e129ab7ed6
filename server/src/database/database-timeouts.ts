import type { MongooseModuleOptions } from '@nestjs/mongoose';

/**
 * Every way a database call can wait, bounded so that a database that is down or stalled
 * (SIGSTOP: the kernel still accepts connections, nothing answers) costs a call at most about
 * `timeoutMs` (1.5 times that when it stalls mid-request) before the request answers 503. The
 * driver retries a read or write that failed on the network once, so opening a connection and
 * waiting for a reply get half each. Finding the
 * server, waiting for the pool's one connection (a burst such as 200 registrations at once
 * queues there) and mongoose's own queue while it is disconnected get the whole limit. The
 * driver's timeoutMS would say this in one option, but driver 7 ignores it. (Mongoose reads
 * bufferTimeoutMS from the connection options; its types only list it for schemas.)
 */
export function databaseTimeouts(timeoutMs: number): MongooseModuleOptions & { bufferTimeoutMS: number } {
  const perAttempt = Math.ceil(timeoutMs / 2);
  return {
    serverSelectionTimeoutMS: timeoutMs,
    bufferTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: timeoutMs,
    connectTimeoutMS: perAttempt,
    socketTimeoutMS: perAttempt,
  };
}
