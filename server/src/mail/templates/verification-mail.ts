import { translate, type Language } from '@konferenz/shared';
import { button, layout, paragraph, plainText, type RenderedMail } from './layout';

export interface VerificationMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  verifyUrl: string;
  verifyHours: number;
}

export function verificationMail(input: VerificationMailInput): RenderedMail {
  const { language } = input;
  const subject = translate(language, 'mail.verify.subject');
  const greeting = translate(language, 'mail.greetingPlain', { firstName: input.firstName, lastName: input.lastName });
  const intro = translate(language, 'mail.verify.intro', { hours: input.verifyHours });
  return {
    subject,
    text: plainText(language, [greeting, `${intro}\n${input.verifyUrl}`]),
    html: layout(
      language,
      subject,
      [paragraph(greeting), paragraph(intro), button(input.verifyUrl, translate(language, 'mail.welcome.verifyButton'))].join('\n'),
    ),
  };
}
