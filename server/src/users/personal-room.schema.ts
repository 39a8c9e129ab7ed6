import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import {
  ADMISSION_POLICIES,
  MODERATOR_LEAVES_POLICIES,
  MUTE_ON_ENTRY_GUESTS_MAX,
  MUTE_ON_ENTRY_GUESTS_MIN,
  MUTE_ON_ENTRY_MODES,
  type AdmissionPolicy,
  type ModeratorLeavesPolicy,
  type MuteOnEntry,
} from '@konferenz/shared';

/** `guests` is stored only with the mode 'after' (the shared schema drops it otherwise). */
@Schema({ _id: false, versionKey: false })
export class MuteOnEntryRecord {
  @Prop({ type: String, enum: MUTE_ON_ENTRY_MODES, required: true })
  mode!: MuteOnEntry['mode'];

  @Prop({ type: Number, min: MUTE_ON_ENTRY_GUESTS_MIN, max: MUTE_ON_ENTRY_GUESTS_MAX })
  guests?: number;
}
const MuteOnEntryRecordSchema = SchemaFactory.createForClass(MuteOnEntryRecord);

@Schema({ _id: false, versionKey: false })
export class RoomSettingsRecord {
  @Prop({ type: String, enum: ADMISSION_POLICIES, default: 'all-on-moderator' })
  admission!: AdmissionPolicy;

  @Prop({ type: String, enum: MODERATOR_LEAVES_POLICIES, default: 'continue' })
  moderatorLeaves!: ModeratorLeavesPolicy;

  /** Absent on rooms saved before mute on entry existed: off (withDefaultRoomSettings). */
  @Prop({ type: MuteOnEntryRecordSchema })
  muteOnEntry?: MuteOnEntry;

  /** Absent on rooms saved before the tones existed: on (withDefaultRoomSettings). */
  @Prop({ type: Boolean })
  entryExitTones?: boolean;
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
