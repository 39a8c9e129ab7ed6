import type { Language } from '../constants/languages';
import type { DialInView } from '../schemas/views';
import { translate } from './translate';

/**
 * The dial-in lines of the invitation (`{dialIn}` in `invitation.text`): the numbers, the SIP URI and how to
 * confirm, then a blank line; empty when neither is configured, so the invitation reads as before.
 */
export function invitationDialIn(language: Language, dialIn: DialInView): string {
  const lines: string[] = [];
  if (dialIn.numbers.length > 0) lines.push(translate(language, 'invitation.dialIn.numbers', { numbers: dialIn.numbers.join(', ') }));
  if (dialIn.sipUri) lines.push(translate(language, 'invitation.dialIn.sip', { sipUri: dialIn.sipUri }));
  if (lines.length === 0) return '';
  lines.push(translate(language, 'invitation.dialIn.confirm'));
  return `${lines.join('\n')}\n\n`;
}
