import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { CSRF_HEADER } from '@konferenz/shared';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiException } from './api-exception';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie-authenticated mutations need a custom header: a cross-site form cannot set one, and a
 * cross-site script cannot either without a CORS preflight this server never approves. The Origin
 * check covers browsers that send it; SameSite=Lax on the session cookie is the third layer.
 */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  readonly #allowedOrigin: string;
  /**
   * Outside production the address the browser used counts as well, so `npm start` works whether
   * it is opened as localhost or 127.0.0.1. Production accepts PUBLIC_URL only: the Host header is
   * the client's to choose (DNS rebinding sends an attacker's host name along with his origin).
   */
  readonly #acceptRequestHost: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.#allowedOrigin = new URL(config.publicUrl).origin;
    this.#acceptRequestHost = config.env !== 'production';
  }

  use(request: Request, _response: Response, next: NextFunction): void {
    if (SAFE_METHODS.has(request.method)) return next();
    const origin = request.headers.origin;
    const sameOrigin =
      origin === undefined || origin === this.#allowedOrigin || (this.#acceptRequestHost && origin === `${request.protocol}://${request.headers.host}`);
    if (request.headers[CSRF_HEADER] !== '1' || !sameOrigin) throw new ApiException('CSRF_REJECTED');
    next();
  }
}
