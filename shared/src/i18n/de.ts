import { MUTE_ON_ENTRY_GUESTS_MAX, MUTE_ON_ENTRY_GUESTS_MIN } from '../conference/room-settings';
import { PIN_MAX_LENGTH, PIN_MIN_LENGTH } from '../constants/limits';
import { uiDe } from './ui.de';

/** The German catalogue is the reference: every other language must have exactly these keys. */
export const de = {
  'validation.required': 'Bitte ausfüllen.',
  'validation.type.string': 'Hier wird Text erwartet.',
  'validation.type.object': 'Hier werden Angaben als Gruppe erwartet.',
  'validation.invalid': 'Ungültige Eingabe.',
  'validation.tooLong': 'Zu lang.',
  'validation.controlCharacters': 'Enthält unzulässige Steuerzeichen.',
  'validation.username.tooShort': 'Der Benutzername braucht mindestens 3 Zeichen.',
  'validation.username.tooLong': 'Der Benutzername darf höchstens 32 Zeichen haben.',
  'validation.username.format': 'Nur Buchstaben a–z, Ziffern, Punkt, Bindestrich und Unterstrich; am Anfang ein Buchstabe oder eine Ziffer.',
  'validation.email': 'Bitte eine gültige E-Mail-Adresse angeben.',
  'validation.password.tooShort': 'Das Passwort braucht mindestens 10 Zeichen.',
  'validation.password.tooLong': 'Das Passwort darf höchstens 128 Zeichen haben.',
  'validation.password.common': 'Dieses Passwort ist zu verbreitet und leicht zu erraten.',
  'validation.password.containsIdentity': 'Das Passwort darf den Benutzernamen oder die E-Mail-Adresse nicht enthalten.',
  'validation.pin.format': `Die PIN besteht aus ${PIN_MIN_LENGTH} bis ${PIN_MAX_LENGTH} Ziffern.`,
  'validation.pin.trivial': 'Diese PIN ist zu leicht zu erraten (Wiederholungen oder Zahlenfolgen).',
  'validation.pin.common': 'Diese PIN gehört zu den am häufigsten gewählten (Tastenmuster, Paare, Spiegelungen, Datumsangaben).',
  'validation.pin.roomNumber': 'Die PIN darf nicht aus der Konferenzraum-Nummer stammen.',
  'validation.pin.same': 'Moderatoren-PIN und Teilnehmer-PIN müssen sich unterscheiden.',
  'validation.language': 'Bitte Deutsch oder Englisch wählen.',
  'validation.houseNumber': 'Bitte eine gültige Hausnummer angeben.',
  'validation.postalCode': 'Bitte eine gültige Postleitzahl angeben.',
  'validation.country': 'Bitte ein Land aus der Liste wählen.',
  'validation.phone': 'Bitte eine gültige Telefonnummer angeben.',
  'validation.token': 'Der Link ist ungültig.',
  'validation.roomNumber': 'Die Konferenzraum-Nr. hat 8 Ziffern.',
  'validation.attributes.key': 'Ein Schlüssel beginnt mit einem Kleinbuchstaben a–z, danach höchstens 31 Zeichen a–z, 0–9, _ oder -.',
  'validation.attributes.tooMany': 'Höchstens 8 Angaben pro Teilnehmer.',
  'validation.muteOnEntry.guests': `Bitte eine ganze Zahl von ${MUTE_ON_ENTRY_GUESTS_MIN} bis ${MUTE_ON_ENTRY_GUESTS_MAX} angeben.`,

  'error.VALIDATION_FAILED': 'Bitte die markierten Felder prüfen.',
  'error.UNAUTHENTICATED': 'Bitte zuerst anmelden.',
  'error.INVALID_CREDENTIALS': 'Benutzername oder Passwort ist falsch.',
  'error.FORBIDDEN': 'Dafür fehlt die Berechtigung.',
  'error.PIN_SETUP_REQUIRED': 'Bitte zuerst Moderatoren-PIN und Teilnehmer-PIN festlegen.',
  'error.PINS_ALREADY_SET': 'Die PINs sind bereits festgelegt; sie können im Konferenzcenter geändert werden.',
  'error.USERNAME_TAKEN': 'Dieser Benutzername ist vergeben.',
  'error.TOKEN_INVALID': 'Der Link ist ungültig, abgelaufen oder wurde bereits benutzt.',
  'error.CSRF_REJECTED': 'Die Anfrage wurde aus Sicherheitsgründen abgelehnt. Bitte die Seite neu laden.',
  'error.TOO_MANY_REQUESTS': 'Zu viele Versuche. Bitte später erneut versuchen.',
  'error.PAYLOAD_TOO_LARGE': 'Die Anfrage ist zu groß.',
  'error.NOT_FOUND': 'Nicht gefunden.',
  'error.INTERNAL': 'Ein interner Fehler ist aufgetreten. Bitte später erneut versuchen.',
  'error.SERVICE_UNAVAILABLE':
    'Der Dienst ist vorübergehend nicht erreichbar. Bitte in einigen Minuten erneut versuchen; laufende Konferenzen sind nicht betroffen.',
  'error.ROOM_ON_OTHER_NODE': 'Diese Konferenz läuft auf einem anderen Server; die Verbindung wird dorthin umgeleitet.',
  'error.CHAT_DISABLED': 'Der Chat ist in dieser Konferenz ausgeschaltet.',
  'error.CHAT_RATE_LIMITED': 'Zu viele Nachrichten in kurzer Zeit. Bitte kurz warten.',
  'error.INVALID_ROOM_OR_PIN': 'Konferenzraum-Nr. oder PIN ist falsch.',
  'error.CONFERENCE_TOKEN_INVALID': 'Die Sitzung ist abgelaufen. Bitte erneut mit Konferenzraum-Nr. und PIN beitreten.',
  'error.ROOM_LOCKED': 'Der Konferenzraum ist gesperrt: Der Moderator lässt gerade niemanden herein.',
  'error.NOT_ADMITTED': 'Sie sind noch in der Warteschlange.',
  'error.MODERATOR_ONLY': 'Das darf nur der Moderator.',
  'error.MEDIA_FAILED': 'Die Audio- und Videoverbindung ist fehlgeschlagen.',

  'mail.footer': 'Konferenz – Ihr Konferenzcenter',
  'mail.welcome.subject': 'Willkommen bei Konferenz – Ihr persönlicher Konferenzraum {roomNumber}',
  'mail.welcome.greeting': 'Hallo {firstName} {lastName},',
  'mail.welcome.intro': 'vielen Dank für Ihre Registrierung. Ihr persönlicher Konferenzraum steht Ihnen ab sofort ohne zeitliche Begrenzung zur Verfügung.',
  'mail.welcome.roomNumber': 'Konferenzraum-Nr.',
  'mail.welcome.accessPin': 'Zugangs-PIN',
  'mail.welcome.accessPinHint':
    'Mit der Zugangs-PIN identifizieren Sie sich als Moderator, bis Sie bei der Erstanmeldung im Konferenzcenter Ihre Moderatoren-PIN und Ihre Teilnehmer-PIN festlegen.',
  'mail.welcome.loginHint': 'Melden Sie sich jetzt im Konferenzcenter an: {loginUrl}',
  'mail.welcome.joinHint': 'Teilnehmer betreten die Konferenz im Browser unter {joinUrl}',
  'mail.welcome.dialIn': 'Einwahl per Telefon',
  'mail.welcome.dialInSip': 'Einwahl per SIP',
  'mail.welcome.dialInHint': 'Teilnehmer wählen sich per Telefon ein: Konferenzraum-Nr. und PIN mit # bestätigen.',
  'mail.welcome.verifyHint': 'Bitte bestätigen Sie Ihre E-Mail-Adresse (der Link ist {hours} Stunden gültig):',
  'mail.welcome.verifyButton': 'E-Mail-Adresse bestätigen',
  'mail.verify.subject': 'Konferenz – bitte bestätigen Sie Ihre E-Mail-Adresse',
  'mail.verify.intro': 'bitte bestätigen Sie Ihre E-Mail-Adresse für Ihr Konferenz-Konto (der Link ist {hours} Stunden gültig):',
  'mail.attempt.subject': 'Konferenz – Registrierungsversuch mit Ihrer E-Mail-Adresse',
  'mail.attempt.body':
    'soeben hat jemand versucht, mit Ihrer E-Mail-Adresse ein neues Konto bei Konferenz zu registrieren. Ihr bestehendes Konto bleibt unverändert. Falls Sie das waren: Melden Sie sich einfach mit Ihrem Benutzernamen {username} an. Falls nicht, können Sie diese E-Mail ignorieren.',
  'mail.attempt.loginHint': 'Zum Konferenzcenter: {loginUrl}',
  'mail.greetingPlain': 'Hallo {firstName} {lastName},',
  'mail.reset.subject': 'Konferenz – Passwort zurücksetzen',
  'mail.reset.intro':
    'für Ihr Konferenz-Konto {username} wurde ein neues Passwort angefordert. Über diesen Link legen Sie es fest (er ist {minutes} Minuten gültig und funktioniert nur einmal):',
  'mail.reset.button': 'Neues Passwort festlegen',
  'mail.reset.ignore': 'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren: Ihr Passwort bleibt unverändert.',
  'mail.passwordChanged.subject': 'Konferenz – Ihr Passwort wurde geändert',
  'mail.passwordChanged.body':
    'das Passwort Ihres Konferenz-Kontos {username} wurde soeben über den Link „Passwort vergessen?“ neu festgelegt. Alle bisherigen Anmeldungen wurden beendet.',
  'mail.passwordChanged.notYou': 'Falls Sie das nicht waren, setzen Sie Ihr Passwort sofort selbst zurück: {forgotUrl}',
  'mail.roomAttack.subject': 'Konferenz – viele falsche PINs für Ihren Konferenzraum {roomNumber}',
  'mail.roomAttack.body':
    'für Ihren Konferenzraum {roomNumber} wurden in kurzer Zeit {failures} falsche PINs eingegeben. Vermutlich versucht jemand, eine PIN zu erraten.',
  'mail.roomAttack.effect':
    'Zum Schutz lässt der Raum vorübergehend niemanden mit der Teilnehmer-PIN ein. Ihre Moderator-PIN funktioniert weiterhin (die Prüfung kann einige Sekunden dauern), und im Konferenzcenter starten Sie Ihre Konferenz wie gewohnt.',
  'mail.roomAttack.advice':
    'Falls das nicht Ihre Teilnehmer waren: Ändern Sie im Konferenzcenter Ihre Teilnehmer-PIN und Ihre Moderator-PIN und geben Sie die neue Teilnehmer-PIN nur Ihren Teilnehmern: {accountUrl}',
  'mail.roomAttack.once': 'Diese Nachricht erhalten Sie höchstens einmal in {hours} Stunden.',

  'invitation.text':
    'Einladung zur Telefonkonferenz\n\nKonferenzraum-Nr.: {roomNumber}\nTeilnehmer-PIN: {participantPin}\n\n{dialIn}Im Browser teilnehmen: {joinUrl}\n\nFalls der Moderator noch nicht da ist, warten Sie in der Warteschlange und betreten den Konferenzraum zusammen mit dem Moderator.',
  'invitation.dialIn.numbers': 'Per Telefon teilnehmen: {numbers}',
  'invitation.dialIn.sip': 'Per SIP teilnehmen: {sipUri}',
  'invitation.dialIn.confirm': 'Konferenzraum-Nr. und PIN mit # bestätigen.',
  ...uiDe,
} as const;

export type CatalogueKey = keyof typeof de;
export type Catalogue = Record<CatalogueKey, string>;
