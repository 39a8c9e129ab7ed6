import { translate, type ErrorResponse, type Language } from '@konferenz/shared';

/** A PIN the server refused, with what it told this browser about its own network's budget. */
export interface PinRefusal extends Pick<ErrorResponse, 'attemptsLeft' | 'retryAt'> {
  code: 'INVALID_ROOM_OR_PIN' | 'TOO_MANY_REQUESTS';
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * What the PIN field says about a refusal: a wrong PIN with the tries left, a lockout with the
 * time it ends (its date too when that is more than a day away). Without those details (an older
 * server, a room closed to guests) the plain catalogue text. `timeZone` only for tests; the page
 * shows the browser's own.
 */
export function pinRefusalText(language: Language, refusal: PinRefusal, now: Date, timeZone?: string): string {
  if (refusal.code === 'TOO_MANY_REQUESTS') {
    if (refusal.retryAt === undefined) return translate(language, 'error.TOO_MANY_REQUESTS');
    return translate(language, 'ui.join.pin.retryAt', { time: retryTime(language, new Date(refusal.retryAt), now, timeZone) });
  }
  const wrong = translate(language, 'error.INVALID_ROOM_OR_PIN');
  return refusal.attemptsLeft === undefined ? wrong : `${wrong} ${triesLeft(language, refusal.attemptsLeft)}`;
}

function triesLeft(language: Language, count: number): string {
  if (count === 0) return translate(language, 'ui.join.pin.triesLeft.none');
  if (count === 1) return translate(language, 'ui.join.pin.triesLeft.one');
  return translate(language, 'ui.join.pin.triesLeft', { count });
}

function retryTime(language: Language, retryAt: Date, now: Date, timeZone: string | undefined): string {
  const date: Intl.DateTimeFormatOptions = retryAt.getTime() - now.getTime() > DAY_MS ? { day: 'numeric', month: 'long' } : {};
  return new Intl.DateTimeFormat(language, { ...date, hour: 'numeric', minute: '2-digit', timeZone }).format(retryAt);
}
