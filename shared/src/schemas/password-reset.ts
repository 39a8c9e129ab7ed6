import { z } from 'zod';
import { loginRequestSchema, verifyEmailRequestSchema } from './account';
import { passwordField } from './fields';

/** "Forgot password?": the username or the email address, as at the login. */
export const forgotPasswordRequestSchema = z.object({ login: loginRequestSchema.shape.login });
export type ForgotPasswordRequest = z.infer<typeof forgotPasswordRequestSchema>;

/** The same answer whether or not an account exists: nothing here tells which names are taken. */
export interface ForgotPasswordResponse {
  status: 'check-your-mailbox';
}

/** The token from the mailed link (64 hex digits, like the verification link's) and the new password. */
export const resetPasswordRequestSchema = z.object({
  token: verifyEmailRequestSchema.shape.token,
  newPassword: passwordField,
});
export type ResetPasswordRequest = z.infer<typeof resetPasswordRequestSchema>;
