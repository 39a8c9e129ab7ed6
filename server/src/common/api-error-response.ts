import type { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorResponse } from './error-response';
import { requestLanguage } from './request-language';

/** How long a client should wait before retrying a 503: the embedded services restart within seconds. */
const RETRY_AFTER_SECONDS = 5;

/** Whole seconds until `retryAt`, at least one: a header of 0 would invite an immediate retry. */
function retryAfterSeconds(retryAt: string): number {
  return Math.max(1, Math.ceil((Date.parse(retryAt) - Date.now()) / 1000));
}

/** Writes any error as the API's JSON error shape; shared by Nest's filter and the Express middleware chain. */
export function sendApiError(error: unknown, request: Request, response: Response, logger: Logger): void {
  const { status, body } = toErrorResponse(error, requestLanguage(request), logger);
  if (status === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  else if (body.retryAt) response.setHeader('Retry-After', String(retryAfterSeconds(body.retryAt)));
  response.status(status).json(body);
}
