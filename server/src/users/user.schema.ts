import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';
import { COUNTRY_CODES, LANGUAGES, type CountryCode, type Language } from '@konferenz/shared';
import { PersonalRoom, PersonalRoomSchema } from './personal-room.schema';

@Schema({ _id: false, versionKey: false })
export class Address {
  @Prop({ required: true }) street!: string;
  @Prop({ required: true }) houseNumber!: string;
  @Prop({ required: true }) postalCode!: string;
  @Prop({ required: true }) city!: string;
  @Prop({ required: true, enum: COUNTRY_CODES, type: String }) country!: CountryCode;
}
const AddressSchema = SchemaFactory.createForClass(Address);

@Schema({ _id: false, versionKey: false })
export class EmailVerification {
  /** SHA-256 of the token: a leaked database does not verify anyone. */
  @Prop({ required: true }) tokenHash!: string;
  @Prop({ required: true }) expiresAt!: Date;
  @Prop({ required: true }) sentAt!: Date;
}
const EmailVerificationSchema = SchemaFactory.createForClass(EmailVerification);

/**
 * One document per customer. Uniqueness of username and email is case-insensitive through the
 * stored lower-cased keys (the embedded FerretDB has no collations). A deleted account stays as
 * a tombstone without personal data so its room number is never handed out again.
 */
@Schema({ collection: 'users', timestamps: true, versionKey: false })
export class User {
  @Prop({ required: true }) username!: string;
  @Prop({ required: true, unique: true }) usernameKey!: string;
  @Prop({ required: true }) email!: string;
  @Prop({ required: true, unique: true }) emailKey!: string;
  @Prop({ type: String, default: null }) passwordHash!: string | null;
  @Prop({ required: true }) firstName!: string;
  @Prop({ required: true }) lastName!: string;
  @Prop({ type: String }) company?: string;
  @Prop({ type: String }) phone?: string;
  @Prop({ type: AddressSchema }) address?: Address;
  @Prop({ required: true, enum: LANGUAGES, type: String }) language!: Language;
  @Prop({ type: Date, default: null }) emailVerifiedAt!: Date | null;
  @Prop({ type: EmailVerificationSchema, default: null }) emailVerification!: EmailVerification | null;
  /** Hash of the link that verified the address: a second click on it says "already verified", not "invalid". */
  @Prop({ type: String, default: null }) verifiedWithTokenHash!: string | null;
  @Prop({ type: PersonalRoomSchema, required: true }) room!: PersonalRoom;
  /** Stored in every session; a password change increments it, which ends all older sessions. */
  @Prop({ default: 0 }) sessionEpoch!: number;
  @Prop({ type: Date, default: null }) deletedAt!: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export type UserDocument = HydratedDocument<User>;
export const UserSchema = SchemaFactory.createForClass(User);
UserSchema.index({ 'room.number': 1 }, { unique: true });
// The public verify-email link is looked up by these: without an index every guessed link would scan all users.
UserSchema.index({ 'emailVerification.tokenHash': 1 });
UserSchema.index({ verifiedWithTokenHash: 1 });
