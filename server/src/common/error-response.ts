import { HttpException, type Logger } from '@nestjs/common';
import { MediaError } from '@konferenz/sfu';
import { isCatalogueKey, translate, type ErrorCode, type ErrorResponse, type Language } from '@konferenz/shared';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { ApiException, type ApiRefusalDetails } from './api-exception';

/** body-parser reports its own failures as errors carrying `type` and `status`. */
function bodyParserCode(error: unknown): ErrorCode | undefined {
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') return 'PAYLOAD_TOO_LARGE';
  if (typeof type === 'string' && (type.startsWith('entity.') || type.endsWith('.unsupported'))) return 'VALIDATION_FAILED';
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

/** The SFU's refusals: touching someone else's media is forbidden, unknown ids are bad input. */
function mediaCode(error: MediaError): ErrorCode {
  if (error.code === 'NOT_ALLOWED') return 'FORBIDDEN';
  if (error.code === 'MEDIA_FAILED') return 'MEDIA_FAILED';
  return 'VALIDATION_FAILED';
}

/** The refusal details present, as the contract spells them. */
function refusalFields({ attemptsLeft, retryAt }: ApiRefusalDetails): Pick<ErrorResponse, 'attemptsLeft' | 'retryAt'> {
  return { ...(attemptsLeft !== undefined && { attemptsLeft }), ...(retryAt && { retryAt: retryAt.toISOString() }) };
}

const STATUS_OF_MEDIA_CODE: Partial<Record<ErrorCode, number>> = { FORBIDDEN: 403, MEDIA_FAILED: 500, VALIDATION_FAILED: 400 };

/**
 * Every error, from any layer, as the one shape clients see (REST bodies and socket
 * acknowledgements alike), in the client's language. Unexpected errors are logged, not shown.
 */
export function toErrorResponse(error: unknown, language: Language, logger: Logger): { status: number; body: ErrorResponse } {
  if (error instanceof ApiException) {
    return {
      status: error.getStatus(),
      body: {
        code: error.code,
        message: translate(language, `error.${error.code}`),
        fieldErrors: error.fieldProblems.map(({ field, code }) => ({
          field,
          code,
          message: translate(language, isCatalogueKey(code) ? code : 'validation.invalid'),
        })),
        ...refusalFields(error.details),
      },
    };
  }
  let code: ErrorCode;
  let status: number;
  const parserCode = bodyParserCode(error);
  if (parserCode) {
    code = parserCode;
    status = (error as { status?: number }).status ?? 400;
  } else if (error instanceof MediaError) {
    code = mediaCode(error);
    status = STATUS_OF_MEDIA_CODE[code]!;
    if (code === 'MEDIA_FAILED') logger.warn(`Media request failed: ${error.message}`);
  } else if (error instanceof HttpException) {
    status = error.getStatus();
    code = nestHttpCode(status);
  } else if (isDatabaseUnavailable(error)) {
    // The database is down or stalled: a fact worth one line, not a stack trace per request.
    code = 'SERVICE_UNAVAILABLE';
    status = 503;
    logger.warn(`Database unavailable: ${(error as Error).message}`);
  } else {
    code = 'INTERNAL';
    status = 500;
  }
  if (status >= 500 && code === 'INTERNAL') logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { status, body: { code, message: translate(language, `error.${code}`), fieldErrors: [] } };
}
