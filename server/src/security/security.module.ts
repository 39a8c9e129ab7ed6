import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AttemptCounter, AttemptCounterSchema } from './attempt-counter.schema';
import { AttemptLimiter } from './attempt-limiter.service';
import { SecretHasher } from './secret-hasher';

@Module({
  imports: [MongooseModule.forFeature([{ name: AttemptCounter.name, schema: AttemptCounterSchema }])],
  providers: [AttemptLimiter, SecretHasher],
  exports: [AttemptLimiter, SecretHasher],
})
export class SecurityModule {}
