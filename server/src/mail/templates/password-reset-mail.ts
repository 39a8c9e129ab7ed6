import { translate, type Language } from '@konferenz/shared';
import { button, layout, paragraph, plainText, type RenderedMail } from './layout';

export interface PasswordResetMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  username: string;
  resetUrl: string;
  validMinutes: number;
}

export function passwordResetMail(input: PasswordResetMailInput): RenderedMail {
  const { language } = input;
  const subject = translate(language, 'mail.reset.subject');
  const greeting = translate(language, 'mail.greetingPlain', { firstName: input.firstName, lastName: input.lastName });
  const intro = translate(language, 'mail.reset.intro', { username: input.username, minutes: input.validMinutes });
  const ignore = translate(language, 'mail.reset.ignore');
  return {
    subject,
    text: plainText(language, [greeting, `${intro}\n${input.resetUrl}`, ignore]),
    html: layout(
      language,
      subject,
      [paragraph(greeting), paragraph(intro), button(input.resetUrl, translate(language, 'mail.reset.button')), paragraph(ignore)].join('\n'),
    ),
  };
}
