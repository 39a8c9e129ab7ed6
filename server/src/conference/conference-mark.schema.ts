import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const CONFERENCE_MARK_KINDS = ['removed', 'ended', 'locked'] as const;
export type ConferenceMarkKind = (typeof CONFERENCE_MARK_KINDS)[number];

/**
 * What a conference's moderators decided that must outlive the process: a removed participant
 * (key: participant id), the moment a room's conference was ended (key: room number), a locked
 * room (key: room number). Expiry is checked in code: the embedded FerretDB has no TTL indexes.
 */
@Schema({ collection: 'conference_marks', versionKey: false })
export class ConferenceMark {
  /** `${kind}:${participant id or room number}`: one mark per thing marked. */
  @Prop({ required: true, unique: true })
  key!: string;

  @Prop({ type: String, required: true, enum: CONFERENCE_MARK_KINDS })
  kind!: ConferenceMarkKind;

  @Prop({ required: true })
  room!: string;

  /** When the mark was set (or, for a lock, last confirmed by the server holding the conference). */
  @Prop({ required: true })
  at!: Date;
}

export const ConferenceMarkSchema = SchemaFactory.createForClass(ConferenceMark);
