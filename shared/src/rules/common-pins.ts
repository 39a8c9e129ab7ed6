/**
 * PINs people pick far more often than chance (published PIN studies, leaked PIN sets): keypad
 * shapes, pairs and mirrors, "a one and zeros", dates. Kept to a few percent of the PIN space, so
 * refusing them costs a customer almost nothing and costs an attacker their best first guesses.
 */

/** Shapes on the 3x3 keypad (columns, diagonals, crosses, zig-zags), and other favourites. */
const LISTED = new Set([
  '147258',
  '258369',
  '369258',
  '147369',
  '369147',
  '258147',
  '741852',
  '852963',
  '963852',
  '852741',
  '159753',
  '357951',
  '951753',
  '753951',
  '159357',
  '753159',
  '357159',
  '951357',
  '258456',
  '852456',
  '456852',
  '258852',
  '456654',
  '789654',
  '987456',
  '123654',
  '321456',
  '456123',
  '654789',
  '147852',
  '258741',
  '369852',
  '789456',
  '456789',
  '124578',
  '235689',
  '142536',
  '102030',
  '112358',
  '246810',
  '135790',
  '135246',
  '121314',
  '123789',
  '789123',
  '147896',
  '741963',
  '963741',
  '520520',
  '520131',
  '131420',
  '696969',
  '101010',
  '010203',
  '147147',
  '258258',
  '159159',
  '753753',
  '147741',
  '258852',
  '25802580',
  '14725836',
  '12345678',
  '87654321',
  '11223344',
  '12341234',
  '12121212',
  '13579246',
  '24681357',
  '20102010',
  '19841984',
  '14789632',
  '12369874',
  '15935746',
  '74185296',
  '96385274',
]);

const DIGITS_2580 = /^(2580|0852)/;

/** 112233, 998877, 11223344: every digit doubled. */
function isPairs(pin: string): boolean {
  if (pin.length % 2) return false;
  for (let i = 0; i < pin.length; i += 2) if (pin[i] !== pin[i + 1]) return false;
  return true;
}

/** 123321, 12344321: reads the same backwards. */
function isMirrored(pin: string): boolean {
  return pin === [...pin].reverse().join('');
}

/** 100000, 000001, 500000, 000100: one digit, all others alike. */
function isOneOddDigit(pin: string): boolean {
  const counts = new Map<string, number>();
  for (const digit of pin) counts.set(digit, (counts.get(digit) ?? 0) + 1);
  return counts.size === 2 && Math.min(...counts.values()) === 1;
}

const isDay = (value: string) => Number(value) >= 1 && Number(value) <= 31;
const isMonth = (value: string) => Number(value) >= 1 && Number(value) <= 12;
/** Years people choose from: birth years and years of memorable events. */
const isYear = (value: string) => Number(value) >= 1950 && Number(value) <= 2030;

/**
 * Dates in the orders people write them: DDMMYY and MMYYYY/YYYYMM for six digits (together about
 * 4 % of all six-digit PINs), DDMMYYYY and YYYYMMDD for eight.
 */
function isDate(pin: string): boolean {
  if (pin.length === 6) {
    return (
      (isDay(pin.slice(0, 2)) && isMonth(pin.slice(2, 4))) ||
      (isMonth(pin.slice(0, 2)) && isYear(pin.slice(2))) ||
      (isYear(pin.slice(0, 4)) && isMonth(pin.slice(4)))
    );
  }
  if (pin.length === 8) {
    return (
      (isDay(pin.slice(0, 2)) && isMonth(pin.slice(2, 4)) && isYear(pin.slice(4))) ||
      (isYear(pin.slice(0, 4)) && isMonth(pin.slice(4, 6)) && isDay(pin.slice(6)))
    );
  }
  return false;
}

export function isCommonPin(pin: string): boolean {
  return LISTED.has(pin) || DIGITS_2580.test(pin) || isPairs(pin) || isMirrored(pin) || isOneOddDigit(pin) || isDate(pin);
}
