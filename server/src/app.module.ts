import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { API_PREFIX } from '@konferenz/shared';
import { AccountsModule } from './accounts/accounts.module';
import { AuthModule } from './auth/auth.module';
import { ConferenceModule } from './conference/conference.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { CsrfMiddleware } from './common/csrf.middleware';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { databaseTimeouts } from './database/database-timeouts';
import { HealthModule } from './health/health.module';
import { PhoneModule } from './phone/phone.module';

@Module({})
export class AppModule implements NestModule {
  /** The config is complete here: main() has already started any embedded services it names. */
  static forRoot(config: AppConfig & { database: { uri: string } }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MongooseModule.forRoot(config.database.uri, databaseTimeouts(config.database.operationTimeoutMs)),
        AuthModule,
        AccountsModule,
        ConferenceModule,
        PhoneModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CsrfMiddleware).forRoutes(`${API_PREFIX}/*path`);
  }
}
