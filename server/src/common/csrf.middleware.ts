import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiException } from './api-exception';

export const CSRF_HEADER = 'x-konferenz-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie-authenticated mutations need a custom header: a cross-site form cannot set one, and a
 * cross-site script cannot either without a CORS preflight this server never approves. The Origin
 * check covers browsers that send it; SameSite=Lax on the session cookie is the third layer.
 */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  readonly #allowedOrigin: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.#allowedOrigin = new URL(config.publicUrl).origin;
  }

  use(request: Request, _response: Response, next: NextFunction): void {
    if (SAFE_METHODS.has(request.method)) return next();
    const origin = request.headers.origin;
    const sameOrigin = origin === undefined || origin === this.#allowedOrigin || origin === `${request.protocol}://${request.headers.host}`;
    if (request.headers[CSRF_HEADER] !== '1' || !sameOrigin) throw new ApiException('CSRF_REJECTED');
    next();
  }
}
