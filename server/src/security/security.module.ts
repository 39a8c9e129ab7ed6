import { Module, type FactoryProvider } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AttemptCounter, AttemptCounterSchema } from './attempt-counter.schema';
import { AttemptLimiter } from './attempt-limiter.service';
import { ATTEMPT_STORE, type AttemptStore } from './attempt-store';
import { MongoAttemptStore } from './mongo-attempt-store';
import { RedisAttemptStore } from './redis-attempt-store';
import { SecretHasher } from './secret-hasher';

/** In the database on one node; in Redis when several nodes share it (REDIS_URL). */
const attemptStoreProvider: FactoryProvider<AttemptStore> = {
  provide: ATTEMPT_STORE,
  inject: [APP_CONFIG, getModelToken(AttemptCounter.name)],
  useFactory: (config: AppConfig, counters: Model<AttemptCounter>) =>
    config.cluster ? new RedisAttemptStore(config.cluster.redisUrl) : new MongoAttemptStore(counters),
};

@Module({
  imports: [MongooseModule.forFeature([{ name: AttemptCounter.name, schema: AttemptCounterSchema }])],
  providers: [attemptStoreProvider, AttemptLimiter, SecretHasher],
  exports: [AttemptLimiter, SecretHasher],
})
export class SecurityModule {}
