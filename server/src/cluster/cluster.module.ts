import { Module, type FactoryProvider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ReadinessRegistry, up } from '../health/readiness-registry';
import { CONFERENCE_RECORDS, InProcessConferenceRecords, type ConferenceRecords } from './conference-records';
import { InProcessRoomOwnership } from './in-process-room-ownership';
import { RedisConferenceRecords } from './redis-conference-records';
import { RedisRoomOwnership } from './redis-room-ownership';
import { SingleWriterDatabaseCheck } from './single-writer-database';
import { ROOM_OWNERSHIP, type RoomOwnership } from './room-ownership';

/** In-process without REDIS_URL (`npm start`); Redis leases, with a `redis` readiness part, with it. */
const roomOwnershipProvider: FactoryProvider<RoomOwnership> = {
  provide: ROOM_OWNERSHIP,
  inject: [APP_CONFIG, ReadinessRegistry],
  useFactory: (config: AppConfig, readiness: ReadinessRegistry) => {
    if (!config.cluster) return new InProcessRoomOwnership();
    const ownership = new RedisRoomOwnership(config.cluster);
    readiness.register('redis', async () => {
      await ownership.ping();
      return up();
    });
    return ownership;
  },
};

const conferenceRecordsProvider: FactoryProvider<ConferenceRecords> = {
  provide: CONFERENCE_RECORDS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    config.cluster ? new RedisConferenceRecords(config.cluster.redisUrl, config.conference.tokenTtlMs) : new InProcessConferenceRecords(),
};

/** How several nodes share the live conferences. */
@Module({
  providers: [roomOwnershipProvider, conferenceRecordsProvider, SingleWriterDatabaseCheck],
  exports: [ROOM_OWNERSHIP, CONFERENCE_RECORDS],
})
export class ClusterModule {}
