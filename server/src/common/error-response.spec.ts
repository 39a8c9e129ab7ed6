import { Logger } from '@nestjs/common';
import { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { ApiException } from './api-exception';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('answers an unavailable database with 503 SERVICE_UNAVAILABLE, not 500', () => {
    const { status, body } = toErrorResponse(new mongo.MongoNetworkError('connection reset'), 'en', new Logger('test'));
    expect(status).toBe(503);
    expect(body.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.message).toContain('temporarily unavailable');
  });

  it('passes on refusal details when there are some, and adds no empty fields otherwise', () => {
    const refused = new ApiException('TOO_MANY_REQUESTS', [], { retryAt: new Date('2026-12-05T21:47:00Z') });
    expect(toErrorResponse(refused, 'de', new Logger('test')).body).toEqual({
      code: 'TOO_MANY_REQUESTS',
      message: 'Zu viele Versuche. Bitte später erneut versuchen.',
      fieldErrors: [],
      retryAt: '2026-12-05T21:47:00.000Z',
    });
    expect(toErrorResponse(new ApiException('INVALID_ROOM_OR_PIN', [], { attemptsLeft: 0 }), 'de', new Logger('test')).body).toMatchObject({ attemptsLeft: 0 });
    expect(Object.keys(toErrorResponse(new ApiException('INVALID_ROOM_OR_PIN'), 'de', new Logger('test')).body)).toEqual(['code', 'message', 'fieldErrors']);
  });
});
