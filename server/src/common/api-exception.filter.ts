import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isCatalogueKey, translate, type ErrorCode, type ErrorResponse } from '@konferenz/shared';
import { ApiException } from './api-exception';
import { requestLanguage } from './request-language';

/** body-parser reports its own failures as errors carrying `type` and `status`. */
function bodyParserCode(error: unknown): ErrorCode | undefined {
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') return 'PAYLOAD_TOO_LARGE';
  if (typeof type === 'string' && type.startsWith('entity.')) return 'VALIDATION_FAILED';
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return 'VALIDATION_FAILED';
  return undefined;
}

function nestHttpCode(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'TOO_MANY_REQUESTS';
  if (status >= 400 && status < 500) return 'VALIDATION_FAILED';
  return 'INTERNAL';
}

/** Maps every error to the one response shape, in the language the client asked for. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  readonly #logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const language = requestLanguage(request);

    let status: number;
    let body: ErrorResponse;
    const parserCode = bodyParserCode(error);
    if (error instanceof ApiException) {
      status = error.getStatus();
      body = {
        code: error.code,
        message: translate(language, `error.${error.code}`),
        fieldErrors: error.fieldProblems.map(({ field, code }) => ({
          field,
          code,
          message: isCatalogueKey(code) ? translate(language, code) : translate(language, 'validation.invalid'),
        })),
      };
    } else {
      const code = parserCode ?? (error instanceof HttpException ? nestHttpCode(error.getStatus()) : 'INTERNAL');
      status = parserCode ? ((error as { status: number }).status ?? 400) : error instanceof HttpException ? error.getStatus() : 500;
      if (status >= 500) this.#logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      body = { code, message: translate(language, `error.${code}`), fieldErrors: [] };
    }
    response.status(status).json(body);
  }
}
