import { z } from 'zod';
import { COUNTRY_CODES } from '../constants/countries';
import { isPostalCodeOf } from '../rules/postal-code';
import { LANGUAGES } from '../constants/languages';
import { PASSWORD_MAX_LENGTH, TEXT_FIELD_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH } from '../constants/limits';
import { passwordProblem } from '../rules/password-rules';
import { pinProblem } from '../rules/pin-rules';

/**
 * Missing fields and wrong types (an object such as {"$gt": ""} where a string belongs, the
 * classic NoSQL injection) get their own catalogue keys, so the form can say which it was.
 */
const typeError = (expected: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'validation.required' : `validation.type.${expected}`);

/** Control characters never belong in a single-line field and break mail headers and logs. */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

export const textField = (max = TEXT_FIELD_MAX_LENGTH) =>
  z
    .string({ error: typeError('string') })
    .trim()
    .min(1, 'validation.required')
    .max(max, 'validation.tooLong')
    .regex(SINGLE_LINE, 'validation.controlCharacters');

export const optionalTextField = (max = TEXT_FIELD_MAX_LENGTH) =>
  z
    .string({ error: typeError('string') })
    .trim()
    .max(max, 'validation.tooLong')
    .regex(SINGLE_LINE, 'validation.controlCharacters')
    .optional()
    .transform((value) => (value ? value : undefined));

/** The longest name shown on a video tile or in the participant list. */
export const DISPLAY_NAME_MAX_LENGTH = 40;

/**
 * One rule for every name a person is shown by: first and last name at registration and in the
 * profile, the name on join and host, the phone caller's masked number. Any single-line text is
 * allowed, `<` and `>` included ("Müller <Vertrieb>"): escaping is the output's job (Svelte
 * escapes, the mail templates escape), a filter here would only turn customers away, or worse,
 * accept them at registration and refuse them when they start their conference.
 */
export const personNameField = (max = TEXT_FIELD_MAX_LENGTH) => textField(max);

export const displayNameField = personNameField(DISPLAY_NAME_MAX_LENGTH);

export const usernameField = z
  .string({ error: typeError('string') })
  .trim()
  .min(USERNAME_MIN_LENGTH, 'validation.username.tooShort')
  .max(USERNAME_MAX_LENGTH, 'validation.username.tooLong')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'validation.username.format');

export const emailField = z
  .string({ error: typeError('string') })
  .trim()
  .max(254, 'validation.tooLong')
  .pipe(z.email('validation.email'));

/** Length and blocklist here; whether it contains the username is checked where that is known. */
export const passwordField = z
  .string({ error: typeError('string') })
  .min(1, 'validation.required')
  .max(PASSWORD_MAX_LENGTH * 4, 'validation.password.tooLong')
  .superRefine((password, ctx) => {
    const problem = passwordProblem(password);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const pinField = z.string({ error: typeError('string') }).superRefine((pin, ctx) => {
  const problem = pinProblem(pin);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const languageField = z.enum(LANGUAGES, { error: 'validation.language' });

export const addressSchema = z
  .object(
    {
      street: textField(),
      houseNumber: z
        .string({ error: typeError('string') })
        .trim()
        .min(1, 'validation.required')
        .max(10, 'validation.tooLong')
        .regex(/^[0-9A-Za-z/ -]+$/, 'validation.houseNumber'),
      postalCode: z
        .string({ error: typeError('string') })
        .trim()
        .regex(/^[0-9A-Za-z -]{3,10}$/, 'validation.postalCode'),
      city: textField(),
      country: z.enum(COUNTRY_CODES, { error: 'validation.country' }),
    },
    { error: typeError('object') },
  )
  .superRefine((address, ctx) => {
    // A 4-digit code is fine in Austria but not in Germany: the country decides the format.
    if (!isPostalCodeOf(address.country, address.postalCode)) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: 'validation.postalCode' });
  });

export const phoneField = z
  .string({ error: typeError('string') })
  .trim()
  .regex(/^(\+?[0-9][0-9 ()/-]{4,24})?$/, 'validation.phone')
  .optional()
  .transform((value) => (value ? value : undefined));
