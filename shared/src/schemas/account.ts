import { z } from 'zod';
import { DEFAULT_LANGUAGE } from '../constants/languages';
import { passwordProblem } from '../rules/password-rules';
import { pinProblem } from '../rules/pin-rules';
import { addressSchema, emailField, languageField, optionalTextField, passwordField, personNameField, phoneField, pinField, usernameField } from './fields';

const profileShape = {
  firstName: personNameField(),
  lastName: personNameField(),
  company: optionalTextField(),
  phone: phoneField,
  address: addressSchema,
  language: languageField,
};

export const registerRequestSchema = z
  .object({
    username: usernameField,
    email: emailField,
    password: passwordField,
    ...profileShape,
    language: languageField.default(DEFAULT_LANGUAGE),
  })
  .superRefine((body, ctx) => {
    const problem = passwordProblem(body.password, body);
    if (problem === 'validation.password.containsIdentity') ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
export type RegisterRequest = z.infer<typeof registerRequestSchema>;
/** What a form sends, before defaults and trimming. */
export type RegisterForm = z.input<typeof registerRequestSchema>;

/** The language is required here: a default would silently switch a customer back to German. */
export const updateProfileRequestSchema = z.object(profileShape);
export type UpdateProfileRequest = z.infer<typeof updateProfileRequestSchema>;

export const loginRequestSchema = z.object({
  login: z.string({ error: 'validation.required' }).trim().min(1, 'validation.required').max(254, 'validation.tooLong'),
  password: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(512, 'validation.tooLong'),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const changePasswordRequestSchema = z.object({
  currentPassword: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(512, 'validation.tooLong'),
  newPassword: passwordField,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const deleteAccountRequestSchema = z.object({
  password: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(512, 'validation.tooLong'),
});
export type DeleteAccountRequest = z.infer<typeof deleteAccountRequestSchema>;

export const verifyEmailRequestSchema = z.object({
  token: z.string({ error: 'validation.required' }).regex(/^[0-9a-f]{64}$/, 'validation.token'),
});
export type VerifyEmailRequest = z.infer<typeof verifyEmailRequestSchema>;

/**
 * Both PINs at once: the first-login form. The room number is passed in because a PIN taken from
 * it is the first thing a guest who knows the room number would try.
 */
export const pinSetupRequestSchema = (roomNumber?: string) =>
  z.object({ moderatorPin: pinField, participantPin: pinField }).superRefine((body, ctx) => {
    for (const field of ['moderatorPin', 'participantPin'] as const) {
      const problem = pinProblem(body[field], roomNumber);
      if (problem === 'validation.pin.roomNumber') ctx.addIssue({ code: 'custom', path: [field], message: problem });
    }
    if (body.moderatorPin === body.participantPin) {
      ctx.addIssue({ code: 'custom', path: ['participantPin'], message: 'validation.pin.same' });
    }
  });
export type PinSetupRequest = z.infer<ReturnType<typeof pinSetupRequestSchema>>;

export const changePinRequestSchema = (roomNumber?: string) =>
  z.object({ pin: pinField }).superRefine((body, ctx) => {
    const problem = pinProblem(body.pin, roomNumber);
    if (problem === 'validation.pin.roomNumber') ctx.addIssue({ code: 'custom', path: ['pin'], message: problem });
  });
export type ChangePinRequest = z.infer<ReturnType<typeof changePinRequestSchema>>;

export type PinRole = 'moderator' | 'participant';
