import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

/**
 * A mail waiting to be delivered. It exists only until the SMTP server has accepted it (or it is
 * given up), so recipients and contents are not kept longer than delivery needs.
 */
@Schema({ collection: 'mail_outbox', versionKey: false })
export class OutboxMail {
  @Prop({ required: true }) to!: string;
  @Prop({ required: true }) subject!: string;
  @Prop({ required: true }) text!: string;
  @Prop({ required: true }) html!: string;
  @Prop({ required: true }) queuedAt!: Date;
  @Prop({ required: true }) dueAt!: Date;
  /** Failed attempts so far; together with the id it names the next attempt's claim. */
  @Prop({ default: 0 }) failures!: number;
  @Prop({ type: String, default: null }) lastError!: string | null;
}

export type OutboxMailDocument = HydratedDocument<OutboxMail>;
export const OutboxMailSchema = SchemaFactory.createForClass(OutboxMail);
OutboxMailSchema.index({ dueAt: 1 });

/**
 * The right to make one delivery attempt: `<mail id>:<failures>`. FerretDB 1.x runs an update or
 * findAndModify as a read followed by a separate write, so two processes could both "claim" a mail
 * by updating it; inserting a document with a given _id, however, succeeds for exactly one of them.
 */
@Schema({ collection: 'mail_outbox_claims', versionKey: false })
export class OutboxClaim {
  @Prop({ type: String, required: true }) _id!: string;
  /** After this a process that died mid-attempt no longer blocks the mail. */
  @Prop({ required: true }) expiresAt!: Date;
}

export const OutboxClaimSchema = SchemaFactory.createForClass(OutboxClaim);
