import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { API_PREFIX } from '@konferenz/shared';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import passport from 'passport';
import { AppModule } from './app.module';
import { sendApiError } from './common/api-error-response';
import { loggerLevels, type AppConfig } from './config/app-config';
import { contentSecurityPolicy } from './web/content-security-policy';
import { sessionMiddleware } from './web/session-middleware';
import { spaFallback } from './web/spa-fallback';

/** Request bodies are small forms; anything bigger is a mistake or an attack. */
const BODY_LIMIT = '32kb';

export async function createApp(config: AppConfig & { database: { uri: string } }): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: loggerLevels(config.logLevel),
  });
  app.set('trust proxy', config.trustProxy);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  const https = config.publicUrl.startsWith('https:');
  // Over plain http HSTS would lock browsers out of the site.
  app.use(helmet({ strictTransportSecurity: https, contentSecurityPolicy: contentSecurityPolicy(config.clientDir, https, config.cluster?.nodeOrigins) }));
  // Answers to the API are personal (session, room data): no cache may keep them.
  app.use(API_PREFIX, (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Only the API knows sessions: the app's files and the conference socket (join tokens) never
  // wait for the session store, so the app still loads and explains itself while the database is down.
  app.use(API_PREFIX, sessionMiddleware(config, app.get<Connection>(getConnectionToken())));
  app.use(API_PREFIX, passport.initialize());
  app.use(API_PREFIX, passport.session());
  // The session store and the user lookup run before Nest's routes, so their errors (a database
  // that is down) never reach Nest's filter: they get the same JSON answer here instead of
  // Express's HTML 500.
  const middlewareErrors = new Logger('Errors');
  app.use(API_PREFIX, (error: unknown, request: Request, response: Response, _next: NextFunction) => sendApiError(error, request, response, middlewareErrors));
  app.useStaticAssets(config.clientDir, {
    index: false,
    // Hashed file names under _app/immutable never change content; everything else revalidates.
    setHeaders: (response, path) => response.setHeader('Cache-Control', path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  app.use(spaFallback(config.clientDir));
  return app;
}
