import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';


/**
 * Counts attempts (failed logins, registrations, later PIN tries) per key in the database, so a
 * restart or a second server node does not reset an attacker's budget. Expiry is checked in code:
 * the embedded FerretDB has no TTL indexes.
 */
@Schema({ collection: 'attempt_counters', versionKey: false })
export class AttemptCounter {
  @Prop({ required: true, unique: true })
  key!: string;

  @Prop({ required: true })
  attempts!: number;

  @Prop({ required: true })
  windowStartedAt!: Date;

  @Prop({ type: Date, default: null })
  lockedUntil!: Date | null;
}

export const AttemptCounterSchema = SchemaFactory.createForClass(AttemptCounter);
