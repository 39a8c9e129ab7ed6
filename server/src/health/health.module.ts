import { Global, Module } from '@nestjs/common';
import { DatabaseReadiness } from './database-readiness';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness-registry';

/** Global, so that every part can register its readiness check without importing this module. */
@Global()
@Module({
  controllers: [HealthController],
  providers: [ReadinessRegistry, DatabaseReadiness],
  exports: [ReadinessRegistry],
})
export class HealthModule {}
