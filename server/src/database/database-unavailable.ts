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
  return UNAVAILABLE_NAMES.has(error.name) || / buffering timed out after /.test(error.message);
}

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
