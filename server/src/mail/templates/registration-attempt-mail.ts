import { translate, type Language } from '@konferenz/shared';
import { layout, paragraph, plainText, type RenderedMail } from './layout';

export interface RegistrationAttemptMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  username: string;
  loginUrl: string;
}

/** Sent instead of an error when someone registers an address that already has an account. */
export function registrationAttemptMail(input: RegistrationAttemptMailInput): RenderedMail {
  const { language } = input;
  const subject = translate(language, 'mail.attempt.subject');
  const greeting = translate(language, 'mail.greetingPlain', { firstName: input.firstName, lastName: input.lastName });
  const body = translate(language, 'mail.attempt.body', { username: input.username });
  const login = translate(language, 'mail.attempt.loginHint', { loginUrl: input.loginUrl });
  return {
    subject,
    text: plainText(language, [greeting, body, login]),
    html: layout(language, subject, [paragraph(greeting), paragraph(body), paragraph(login)].join('\n')),
  };
}
