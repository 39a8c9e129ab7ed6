import { translate, type Language } from '@konferenz/shared';
import { layout, paragraph, plainText, type RenderedMail } from './layout';

export interface RoomUnderAttackMailInput {
  language: Language;
  firstName: string;
  lastName: string;
  roomNumber: string;
  failures: number;
  accountUrl: string;
  /** How long until the owner can get the next such mail. */
  quietHours: number;
}

/**
 * Tells the owner their room was closed to guests after many wrong PINs: what it means for
 * their participants and for them, and that new PINs end the guessing.
 */
export function roomUnderAttackMail(input: RoomUnderAttackMailInput): RenderedMail {
  const { language, roomNumber } = input;
  const subject = translate(language, 'mail.roomAttack.subject', { roomNumber });
  const lines = [
    translate(language, 'mail.greetingPlain', { firstName: input.firstName, lastName: input.lastName }),
    translate(language, 'mail.roomAttack.body', { roomNumber, failures: String(input.failures) }),
    translate(language, 'mail.roomAttack.effect'),
    translate(language, 'mail.roomAttack.advice', { accountUrl: input.accountUrl }),
    translate(language, 'mail.roomAttack.once', { hours: String(input.quietHours) }),
  ];
  return { subject, text: plainText(language, lines), html: layout(language, subject, lines.map(paragraph).join('\n')) };
}
