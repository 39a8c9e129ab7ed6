import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * An open "forgot password" link: at most one per account (a new request replaces it), removed
 * when used. Only the SHA-256 of the token is stored, so a leaked database resets nobody's password.
 */
@Schema({ collection: 'password_resets', versionKey: false })
export class PasswordReset {
  @Prop({ type: Types.ObjectId, required: true, unique: true }) userId!: Types.ObjectId;
  @Prop({ required: true, index: true }) tokenHash!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const PasswordResetSchema = SchemaFactory.createForClass(PasswordReset);
