import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ADMISSION_POLICIES, MODERATOR_LEAVES_POLICIES, type AdmissionPolicy, type ModeratorLeavesPolicy } from '@konferenz/shared';

@Schema({ _id: false, versionKey: false })
export class RoomSettingsRecord {
  @Prop({ type: String, enum: ADMISSION_POLICIES, default: 'all-on-moderator' })
  admission!: AdmissionPolicy;

  @Prop({ type: String, enum: MODERATOR_LEAVES_POLICIES, default: 'continue' })
  moderatorLeaves!: ModeratorLeavesPolicy;

  @Prop({ type: Boolean, default: true })
  entryExitTones!: boolean;
}
const RoomSettingsRecordSchema = SchemaFactory.createForClass(RoomSettingsRecord);

/**
 * The customer's permanent conference room, embedded in the account so registration is one
 * document write: there is never an account without a room or a room without its account.
 * A deleted account keeps this subdocument (PINs wiped), which keeps the number retired.
 */
@Schema({ _id: false, versionKey: false })
export class PersonalRoom {
  @Prop({ required: true })
  number!: string;

  /** argon2id of the moderator PIN; until the first-login setup, of the mailed access PIN. */
  @Prop({ type: String, default: null })
  moderatorPinHash!: string | null;

  /** AES-256-GCM, because the customer area must show it for sharing. */
  @Prop({ type: String, default: null })
  participantPinCipher!: string | null;

  @Prop({ default: false })
  pinsSet!: boolean;

  @Prop({ type: Date, default: null })
  retiredAt!: Date | null;

  /** Absent on rooms created before settings existed: DEFAULT_ROOM_SETTINGS apply. */
  @Prop({ type: RoomSettingsRecordSchema })
  settings?: RoomSettingsRecord;
}

export const PersonalRoomSchema = SchemaFactory.createForClass(PersonalRoom);
