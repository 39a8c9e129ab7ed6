/**
 * The most common leaked passwords that pass the length rule (10+ characters), from public
 * breach-frequency lists, plus German favourites. Lower-case; shorter ones fail on length anyway.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890', '0123456789', '0987654321', '9876543210', '1234512345', '1122334455',
  '123456789a', '123456789q', 'a123456789', 'q123456789', '12345678910', '123123123123',
  'qwertyuiop', 'qwertzuiop', 'asdfghjkl1', 'asdfghjklö', 'yxcvbnm123', 'zxcvbnm123',
  '1q2w3e4r5t', '1q2w3e4r5t6y', 'q1w2e3r4t5', 'qwerty1234', 'qwertz1234', 'qwert12345',
  '1qaz2wsx3edc', 'qazwsxedc1', 'qazwsxedcrfv', 'zaq12wsxcde3', 'abcdefghij', 'abcdef1234',
  'abc1234567', 'abcd123456', 'password12', 'password123', 'password1!', 'password1234',
  'passwort12', 'passwort123', 'passwort1!', 'passwort1234', 'passwort!!', 'geheim1234',
  'geheimnis1', 'geheimnis123', 'hallo12345', 'hallohallo', 'hallo123456', 'iloveyou12',
  'iloveyou123', 'ichliebedich', 'ichliebedich1', 'schatz1234', 'sommer2024', 'sommer2025',
  'sommer2026', 'winter2024', 'winter2025', 'winter2026', 'fruehling2026', 'herbst2026',
  'football123', 'fussball123', 'fussball12', 'bayernmuenchen', 'borussia09', 'schalke04!',
  'welcome123', 'willkommen', 'willkommen1', 'willkommen123', 'letmein123', 'trustno1!!',
  'starwars12', 'superman12', 'batman1234', 'pokemon123', 'princess12', 'sunshine12',
  'administrator', 'admin12345', 'admin123456', 'rootroot12', 'changeme123', 'changeme!!',
  'konferenz1', 'konferenz123', 'konferenz2026', 'telefon123', 'telefonkonferenz',
  'deutschland', 'deutschland1', 'berlin1234', 'muenchen123', 'hamburg1234', 'qwertyqwerty',
  'aaaaaaaaaa', 'passwordpassword', 'passwortpasswort', 'mypassword1', 'meinpasswort',
  'meinpasswort1', 'secret1234', 'computer12', 'internet12', 'lollipop12', 'monkey1234',
  'dragon1234', 'master1234', 'michael123', 'jennifer12', 'thomas1234', 'andreas123',
  'stefan1234', 'christian1', 'alexander1', 'sebastian1', 'daniel1234', 'marcel1234',
]);
