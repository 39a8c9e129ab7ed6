import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sendApiError } from './api-error-response';

/** Maps every HTTP error to the one response shape, in the language the client asked for. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  readonly #logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    sendApiError(error, context.getRequest<Request>(), context.getResponse<Response>(), this.#logger);
  }
}
