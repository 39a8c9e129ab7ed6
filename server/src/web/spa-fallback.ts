import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { API_PREFIX, ROUTES } from '@konferenz/shared';

/** Answered by the server itself, though not under /api. */
const SERVER_PATHS = new Set([ROUTES.liveness.path, ROUTES.readiness.path]);

/**
 * The client is a single-page app: any GET that is not for the API, not a health check and not
 * a file gets index.html, and the client's router takes it from there.
 */
export function spaFallback(clientDir: string) {
  const index = join(clientDir, 'index.html');
  if (!existsSync(index)) {
    new Logger('Web').warn(`No client build at ${clientDir}: only the API is served (npm run build -w client)`);
  }
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' || request.path.startsWith(`${API_PREFIX}/`) || SERVER_PATHS.has(request.path)) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index, (error) => error && next());
  };
}
