import { translate, type Language } from '@konferenz/shared';
import { layout, paragraph, plainText, type RenderedMail } from './layout';

export interface PasswordChangedMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  username: string;
  forgotUrl: string;
}

/** Tells the owner after a reset, so a reset they did not make does not go unnoticed. */
export function passwordChangedMail(input: PasswordChangedMailInput): RenderedMail {
  const { language } = input;
  const subject = translate(language, 'mail.passwordChanged.subject');
  const lines = [
    translate(language, 'mail.greetingPlain', { firstName: input.firstName, lastName: input.lastName }),
    translate(language, 'mail.passwordChanged.body', { username: input.username }),
    translate(language, 'mail.passwordChanged.notYou', { forgotUrl: input.forgotUrl }),
  ];
  return { subject, text: plainText(language, lines), html: layout(language, subject, lines.map(paragraph).join('\n')) };
}
