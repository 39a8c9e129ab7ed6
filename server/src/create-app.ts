import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import passport from 'passport';
import { AppModule } from './app.module';
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
  app.use(helmet({ strictTransportSecurity: https, contentSecurityPolicy: contentSecurityPolicy(config.clientDir, https) }));
  app.use(sessionMiddleware(config, app.get<Connection>(getConnectionToken())));
  app.use(passport.initialize());
  app.use(passport.session());
  app.useStaticAssets(config.clientDir, {
    index: false,
    // Hashed file names under _app/immutable never change content; everything else revalidates.
    setHeaders: (response, path) =>
      response.setHeader('Cache-Control', path.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  app.use(spaFallback(config.clientDir));
  return app;
}
