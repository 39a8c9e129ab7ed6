import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorResponse } from './error-response';
import { requestLanguage } from './request-language';

/** Maps every HTTP error to the one response shape, in the language the client asked for. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  readonly #logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const { status, body } = toErrorResponse(error, requestLanguage(context.getRequest<Request>()), this.#logger);
    context.getResponse<Response>().status(status).json(body);
  }
}
