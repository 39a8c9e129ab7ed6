import type { RedisOptions } from 'ioredis';

/** A Redis command that does not answer within this long fails: the request answers 503 instead of hanging. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/**
 * How every cluster connection to Redis behaves: keys under `konferenz:`; while Redis is away,
 * commands fail at once (no offline queue, no retries per command) instead of piling up; the
 * connection itself is retried for ever, at most every 2 s, so Redis coming back is noticed.
 */
export const CLUSTER_REDIS_OPTIONS: RedisOptions = {
  keyPrefix: 'konferenz:',
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  connectTimeout: REDIS_COMMAND_TIMEOUT_MS,
  retryStrategy: (times) => Math.min(times * 200, 2_000),
};
