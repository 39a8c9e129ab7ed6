import { mongo } from 'mongoose';

/**
 * Whether an error means the database could not be reached or did not answer in time, as
 * opposed to an answer we did not expect. Mongoose wraps some driver errors in errors of its
 * own, which keep the driver's class name, and reports a command that waited for a lost
 * connection as "buffering timed out".
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoOperationTimeoutError ||
    error instanceof mongo.MongoNotConnectedError ||
    error instanceof mongo.MongoTopologyClosedError
  ) {
    return true;
  }
  if (!(error instanceof Error)) return false;
  return (
    UNAVAILABLE_NAMES.has(error.name) ||
    / buffering timed out after /.test(error.message) ||
    LOST_CONNECTION_CODES.has((error as NodeJS.ErrnoException).code ?? '')
  );
}

/**
 * The driver lets a write on a connection the database just closed (killed) out as Node's own
 * socket error, unwrapped. Requests reach no other socket synchronously (mail goes through the
 * outbox, SIP is not a request), so a lost connection here is the database's.
 */
const LOST_CONNECTION_CODES = new Set(['EPIPE', 'ECONNRESET']);

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoOperationTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoWaitQueueTimeoutError',
  'MongoPoolClearedError',
]);
