import { formatRoomNumber, translate, type DialInView, type Language } from '@konferenz/shared';
import { button, escapeHtml, layout, link, paragraph, paragraphWithLink, plainText, type RenderedMail } from './layout';

export interface WelcomeMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  roomNumber: string;
  accessPin: string;
  loginUrl: string;
  joinUrl: string;
  /** Left out of the mail when neither numbers nor a SIP URI are configured. */
  dialIn: DialInView;
  verifyUrl: string;
  verifyHours: number;
}

export function welcomeMail(input: WelcomeMailInput): RenderedMail {
  const t = (key: Parameters<typeof translate>[1], params: Record<string, string | number> = {}) => translate(input.language, key, params);
  const roomNumber = formatRoomNumber(input.roomNumber);
  const subject = t('mail.welcome.subject', { roomNumber });
  const greeting = t('mail.welcome.greeting', { firstName: input.firstName, lastName: input.lastName });
  const credentials = [`${t('mail.welcome.roomNumber')}: ${roomNumber}`, `${t('mail.welcome.accessPin')}: ${input.accessPin}`];
  // Label, plain value, and the value as HTML: phone numbers as tel: links, the SIP URI as a sip: link.
  const dialIn: [string, string, string][] = [];
  if (input.dialIn.numbers.length > 0) {
    const numbersHtml = input.dialIn.numbers.map((number) => link(`tel:${number.replace(/[^+\d]/g, '')}`, number)).join(', ');
    dialIn.push([t('mail.welcome.dialIn'), input.dialIn.numbers.join(', '), numbersHtml]);
  }
  if (input.dialIn.sipUri) dialIn.push([t('mail.welcome.dialInSip'), input.dialIn.sipUri, link(input.dialIn.sipUri)]);
  const text = plainText(input.language, [
    greeting,
    t('mail.welcome.intro'),
    credentials.join('\n'),
    t('mail.welcome.accessPinHint'),
    t('mail.welcome.loginHint', { loginUrl: input.loginUrl }),
    t('mail.welcome.joinHint', { joinUrl: input.joinUrl }),
    ...(dialIn.length > 0 ? [[t('mail.welcome.dialInHint'), ...dialIn.map(([label, value]) => `${label}: ${value}`)].join('\n')] : []),
    `${t('mail.welcome.verifyHint', { hours: input.verifyHours })}\n${input.verifyUrl}`,
  ]);
  const credentialRows = [
    [t('mail.welcome.roomNumber'), roomNumber, 'room-number'],
    [t('mail.welcome.accessPin'), input.accessPin, 'access-pin'],
  ]
    .map(
      ([label, value, id]) =>
        `<tr><td style="padding:4px 16px 4px 0">${escapeHtml(label!)}</td><td style="padding:4px 0;font-size:20px;font-weight:bold;letter-spacing:1px" id="${id}">${escapeHtml(value!)}</td></tr>`,
    )
    .join('');
  const html = layout(
    input.language,
    subject,
    [
      paragraph(greeting),
      paragraph(t('mail.welcome.intro')),
      `<table style="margin:0 0 16px;border-collapse:collapse">${credentialRows}</table>`,
      paragraph(t('mail.welcome.accessPinHint')),
      paragraphWithLink(t('mail.welcome.loginHint', { loginUrl: input.loginUrl }), input.loginUrl),
      paragraphWithLink(t('mail.welcome.joinHint', { joinUrl: input.joinUrl }), input.joinUrl),
      ...(dialIn.length > 0
        ? [
            paragraph(t('mail.welcome.dialInHint')),
            `<table style="margin:0 0 16px;border-collapse:collapse" id="dial-in">${dialIn
              .map(
                ([label, , valueHtml]) =>
                  `<tr><td style="padding:4px 16px 4px 0">${escapeHtml(label)}</td><td style="padding:4px 0;font-weight:bold">${valueHtml}</td></tr>`,
              )
              .join('')}</table>`,
          ]
        : []),
      paragraph(t('mail.welcome.verifyHint', { hours: input.verifyHours })),
      button(input.verifyUrl, t('mail.welcome.verifyButton')),
    ].join('\n'),
  );
  return { subject, text, html };
}
