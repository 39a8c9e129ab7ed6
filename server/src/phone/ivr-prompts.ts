import type { Language } from '@konferenz/shared';

/**
 * What the phone gateway says, in German first and English second. The audio files in
 * server/assets/prompts are generated from these texts (server/scripts/generate-prompts.mjs);
 * change a text here, then run the script.
 */
export const IVR_PROMPT_IDS = [
  'welcome',
  'enter-room-number',
  'enter-pin',
  'invalid-entry',
  'waiting-for-moderator',
  'waiting-for-admission',
  'room-locked',
  'service-unavailable',
  'conference-starts',
  'muted',
  'unmuted',
  'only-participant',
  'participant-count-before',
  'participant-count-after',
  'conference-locked',
  'conference-unlocked',
  'others-muted',
  'hand-raised',
  'hand-lowered',
  'moderator-left',
  'waiting-for-moderator-return',
  'help-hint',
  'help-intro',
  'help-hand',
  'help-lock',
  'help-mute',
  'help-mute-others',
  'help-count',
  'conference-ended',
  'goodbye',
] as const;
export type IvrPromptId = (typeof IVR_PROMPT_IDS)[number];

/** The participant count is read as a number between the two count prompts, up to this value. */
export const IVR_MAX_SPOKEN_NUMBER = 99;

/** The key that switches the phone menu to English, pressed during the welcome. */
export const IVR_ENGLISH_KEY = '*';

/** Spoken with the English voice at the end of the German welcome, so English callers know the key. */
export const IVR_ENGLISH_HINT = 'For English, press star.';

export const IVR_PROMPT_TEXTS: Record<Language, Record<IvrPromptId, string>> = {
  de: {
    // The German welcome ends with IVR_ENGLISH_HINT, spoken with the English voice.
    welcome: 'Willkommen bei Konferenz.',
    'enter-room-number': 'Bitte geben Sie Ihre Konferenzraum-Nummer ein, gefolgt von der Raute-Taste.',
    'enter-pin': 'Bitte geben Sie Ihre PIN ein, gefolgt von der Raute-Taste.',
    'invalid-entry': 'Die Eingabe ist ungültig.',
    'waiting-for-moderator': 'Der Moderator ist noch nicht da. Sie werden verbunden, sobald die Konferenz beginnt.',
    'waiting-for-admission': 'Bitte warten Sie. Der Moderator lässt Sie gleich herein.',
    'room-locked': 'Der Konferenzraum ist gesperrt. Bitte versuchen Sie es später noch einmal.',
    'service-unavailable': 'Der Dienst ist gerade nicht erreichbar. Bitte rufen Sie später noch einmal an.',
    'conference-starts': 'Die Konferenz beginnt jetzt.',
    muted: 'Sie sind stummgeschaltet.',
    unmuted: 'Ihr Mikrofon ist eingeschaltet.',
    'only-participant': 'Sie sind der einzige Teilnehmer.',
    'participant-count-before': 'In der Konferenz sind',
    'participant-count-after': 'Teilnehmer.',
    'conference-locked': 'Die Konferenz ist jetzt gesperrt.',
    'conference-unlocked': 'Die Konferenz ist wieder offen.',
    'others-muted': 'Alle anderen Teilnehmer sind stummgeschaltet.',
    'hand-raised': 'Ihre Hand ist gehoben.',
    'hand-lowered': 'Ihre Hand ist gesenkt.',
    'moderator-left': 'Der Moderator hat die Konferenz verlassen.',
    'waiting-for-moderator-return': 'Bitte warten Sie, bis ein Moderator zurückkommt.',
    'help-hint': 'Hilfe erhalten Sie mit Stern Null.',
    // The help: the intro, then one line per key the caller's role may use (PHONE_KEYPAD's `help`).
    'help-intro': 'Ihre Tasten in der Konferenz:',
    'help-hand': 'Stern drei: Hand heben oder senken.',
    'help-lock': 'Stern fünf: Konferenz sperren oder öffnen.',
    'help-mute': 'Stern sechs: Mikrofon aus oder ein.',
    'help-mute-others': 'Stern neun: alle anderen stummschalten.',
    'help-count': 'Stern Raute: Zahl der Teilnehmer.',
    'conference-ended': 'Die Konferenz ist beendet.',
    goodbye: 'Auf Wiederhören.',
  },
  en: {
    welcome: 'Welcome to Konferenz.',
    'enter-room-number': 'Please enter your conference room number, followed by the hash key.',
    'enter-pin': 'Please enter your PIN, followed by the hash key.',
    'invalid-entry': 'That entry is not valid.',
    'waiting-for-moderator': 'The moderator has not arrived yet. You will be connected when the conference starts.',
    'waiting-for-admission': 'Please hold. The moderator will let you in shortly.',
    'room-locked': 'The conference room is locked. Please try again later.',
    'service-unavailable': 'The service is unavailable right now. Please call again later.',
    'conference-starts': 'The conference starts now.',
    muted: 'You are muted.',
    unmuted: 'You are unmuted.',
    'only-participant': 'You are the only participant.',
    'participant-count-before': 'There are',
    'participant-count-after': 'participants in the conference.',
    'conference-locked': 'The conference is now locked.',
    'conference-unlocked': 'The conference is unlocked.',
    'others-muted': 'All other participants are muted.',
    'hand-raised': 'Your hand is raised.',
    'hand-lowered': 'Your hand is lowered.',
    'moderator-left': 'The moderator has left the conference.',
    'waiting-for-moderator-return': 'Please hold until a moderator returns.',
    'help-hint': 'For help, press star zero.',
    'help-intro': 'Your keys in the conference:',
    'help-hand': 'Star three: raise or lower your hand.',
    'help-lock': 'Star five: lock or unlock the conference.',
    'help-mute': 'Star six: mute or unmute.',
    'help-mute-others': 'Star nine: mute everyone else.',
    'help-count': 'Star hash: the number of participants.',
    'conference-ended': 'The conference has ended.',
    goodbye: 'Goodbye.',
  },
};
