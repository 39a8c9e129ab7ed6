import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Counts attempts (failed logins, registrations, password resets, wrong PINs from browsers and
 * phones) per key in the database, so a restart or a second server node does not reset an
 * attacker's budget. Expiry is checked in code: the embedded FerretDB has no TTL indexes.
 */
@Schema({ collection: 'attempt_counters', versionKey: false })
export class AttemptCounter {
  @Prop({ required: true, unique: true })
  key!: string;

  @Prop({ required: true })
  attempts!: number;

  /**
   * For reserved budgets (see AttemptLimiter.reserve): how many of `attempts` ended as real
   * failures; the rest are checks still in flight.
   */
  @Prop({ default: 0 })
  failures!: number;

  @Prop({ required: true })
  windowStartedAt!: Date;

  @Prop({ type: Date, default: null })
  lockedUntil!: Date | null;
}

export const AttemptCounterSchema = SchemaFactory.createForClass(AttemptCounter);
