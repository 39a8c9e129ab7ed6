import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  it('recognises a database that cannot be reached or does not answer', () => {
    expect(isDatabaseUnavailable(new mongo.MongoNetworkError('connection reset'))).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoServerSelectionError('no server', { type: 'Unknown' } as never))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('Timed out while checking out a connection'), { name: 'MongoWaitQueueTimeoutError' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Operation users.findOne() buffering timed out after 2000ms'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }))).toBe(true);
  });

  it('leaves answers the database did give, and other errors, alone', () => {
    expect(isDatabaseUnavailable(new mongo.MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('a string')).toBe(false);
  });
});
