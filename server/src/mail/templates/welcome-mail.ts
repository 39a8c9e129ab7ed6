import { formatRoomNumber, translate, type Language } from '@konferenz/shared';
import { button, escapeHtml, layout, paragraph, plainText, type RenderedMail } from './layout';

export interface WelcomeMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  roomNumber: string;
  accessPin: string;
  loginUrl: string;
  joinUrl: string;
  verifyUrl: string;
  verifyHours: number;
}

export function welcomeMail(input: WelcomeMailInput): RenderedMail {
  const t = (key: Parameters<typeof translate>[1], params: Record<string, string | number> = {}) =>
    translate(input.language, key, params);
  const roomNumber = formatRoomNumber(input.roomNumber);
  const subject = t('mail.welcome.subject', { roomNumber });
  const greeting = t('mail.welcome.greeting', { firstName: input.firstName, lastName: input.lastName });
  const credentials = [
    `${t('mail.welcome.roomNumber')}: ${roomNumber}`,
    `${t('mail.welcome.accessPin')}: ${input.accessPin}`,
  ];
  const text = plainText(input.language, [
    greeting,
    t('mail.welcome.intro'),
    credentials.join('\n'),
    t('mail.welcome.accessPinHint'),
    t('mail.welcome.loginHint', { loginUrl: input.loginUrl }),
    t('mail.welcome.joinHint', { joinUrl: input.joinUrl }),
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
      paragraph(t('mail.welcome.loginHint', { loginUrl: input.loginUrl })),
      paragraph(t('mail.welcome.joinHint', { joinUrl: input.joinUrl })),
      paragraph(t('mail.welcome.verifyHint', { hours: input.verifyHours })),
      button(input.verifyUrl, t('mail.welcome.verifyButton')),
    ].join('\n'),
  );
  return { subject, text, html };
}
