import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

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
}

export const PersonalRoomSchema = SchemaFactory.createForClass(PersonalRoom);
