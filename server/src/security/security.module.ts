import { Module, type FactoryProvider } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { CLUSTER_REDIS, type ClusterRedis } from '../cluster/cluster-redis';
import { ClusterModule } from '../cluster/cluster.module';
import { AttemptCounter, AttemptCounterSchema } from './attempt-counter.schema';
import { AttemptLimiter } from './attempt-limiter.service';
import { ATTEMPT_STORE, type AttemptStore } from './attempt-store';
import { MongoAttemptStore } from './mongo-attempt-store';
import { RedisAttemptStore } from './redis-attempt-store';
import { SecretHasher } from './secret-hasher';

/** In the database on one node; in Redis when several nodes share it (REDIS_URL). */
const attemptStoreProvider: FactoryProvider<AttemptStore> = {
  provide: ATTEMPT_STORE,
  inject: [CLUSTER_REDIS, getModelToken(AttemptCounter.name)],
  useFactory: (redis: ClusterRedis | null, counters: Model<AttemptCounter>) => (redis ? new RedisAttemptStore(redis) : new MongoAttemptStore(counters)),
};

@Module({
  imports: [ClusterModule, MongooseModule.forFeature([{ name: AttemptCounter.name, schema: AttemptCounterSchema }])],
  providers: [attemptStoreProvider, AttemptLimiter, SecretHasher],
  exports: [AttemptLimiter, SecretHasher],
})
export class SecurityModule {}
