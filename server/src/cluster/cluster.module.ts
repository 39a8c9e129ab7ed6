import { Module, type FactoryProvider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ReadinessRegistry, up } from '../health/readiness-registry';
import { CLUSTER_REDIS, ClusterRedis } from './cluster-redis';
import { CONFERENCE_RECORDS, InProcessConferenceRecords, type ConferenceRecords } from './conference-records';
import { InProcessRoomOwnership } from './in-process-room-ownership';
import { RedisConferenceRecords } from './redis-conference-records';
import { RedisRoomOwnership } from './redis-room-ownership';
import { SingleWriterDatabaseCheck } from './single-writer-database';
import { ROOM_OWNERSHIP, type RoomOwnership } from './room-ownership';

/** The node's connection to Redis with REDIS_URL, with a `redis` readiness part; none without (`npm start`). */
const clusterRedisProvider: FactoryProvider<ClusterRedis | null> = {
  provide: CLUSTER_REDIS,
  inject: [APP_CONFIG, ReadinessRegistry],
  useFactory: (config: AppConfig, readiness: ReadinessRegistry) => {
    if (!config.cluster) return null;
    const redis = new ClusterRedis(config.cluster.redisUrl);
    readiness.register('redis', async () => {
      await redis.ping();
      return up();
    });
    return redis;
  },
};

/** In-process on one node; Redis leases with it. */
const roomOwnershipProvider: FactoryProvider<RoomOwnership> = {
  provide: ROOM_OWNERSHIP,
  inject: [APP_CONFIG, CLUSTER_REDIS],
  useFactory: (config: AppConfig, redis: ClusterRedis | null) =>
    config.cluster && redis ? new RedisRoomOwnership(redis, config.cluster) : new InProcessRoomOwnership(),
};

const conferenceRecordsProvider: FactoryProvider<ConferenceRecords> = {
  provide: CONFERENCE_RECORDS,
  inject: [APP_CONFIG, CLUSTER_REDIS],
  useFactory: (config: AppConfig, redis: ClusterRedis | null) =>
    redis ? new RedisConferenceRecords(redis, config.conference.tokenTtlMs) : new InProcessConferenceRecords(),
};

/** How several nodes share the live conferences (and, through CLUSTER_REDIS, the guess budgets). */
@Module({
  providers: [clusterRedisProvider, roomOwnershipProvider, conferenceRecordsProvider, SingleWriterDatabaseCheck],
  exports: [CLUSTER_REDIS, ROOM_OWNERSHIP, CONFERENCE_RECORDS],
})
export class ClusterModule {}
