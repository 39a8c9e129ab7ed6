import { Logger } from '@nestjs/common';
import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('answers an unavailable database with 503 SERVICE_UNAVAILABLE, not 500', () => {
    const { status, body } = toErrorResponse(new mongo.MongoNetworkError('connection reset'), 'en', new Logger('test'));
    expect(status).toBe(503);
    expect(body.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.message).toContain('temporarily unavailable');
  });
});
