/**
 * Ecuadorian cédulas (CONTRACT §2): 10 digits, province 01–24 or 30, third digit 0–5, modulo-10
 * check digit with coefficients 2,1,2,1,2,1,2,1,2 (products over 9 minus 9). Property tests
 * against an independent implementation of the rule.
 */
import fc from 'fast-check';
import { isAccountKey, isValidCedula } from '../../core/ledger/cedula';

/** The check digit for the first nine digits, computed here independently of the source. */
function checkDigit(nine: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const product = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const digit = fc.integer({ min: 0, max: 9 });
const sixDigits = fc.array(digit, { minLength: 6, maxLength: 6 }).map((d) => d.join(''));
const validProvince = fc.oneof(fc.integer({ min: 1, max: 24 }), fc.constant(30)).map(pad2);
const invalidProvince = fc.oneof(fc.constant(0), fc.integer({ min: 25, max: 29 }), fc.integer({ min: 31, max: 99 })).map(pad2);

const withCheck = (nine: string) => nine + checkDigit(nine);
const validCedula = fc.tuple(validProvince, fc.integer({ min: 0, max: 5 }), sixDigits).map(([p, t, rest]) => withCheck(`${p}${t}${rest}`));

describe('isValidCedula', () => {
  test('the contract examples: 1350509525, 1712345675 and 0900000019 are valid', () => {
    for (const c of ['1350509525', '1712345675', '0900000019']) expect(isValidCedula(c)).toBe(true);
  });

  test('the contract examples: 1712345674 (check digit) and 2512345670 (province) are invalid', () => {
    expect(isValidCedula('1712345674')).toBe(false);
    expect(isValidCedula('2512345670')).toBe(false);
  });

  test('a cédula with a valid province, third digit 0–5 and the computed check digit is valid', () => {
    fc.assert(fc.property(validCedula, (c) => isValidCedula(c)), { numRuns: 2000 });
  });

  test('changing the check digit of a valid cédula makes it invalid', () => {
    fc.assert(
      fc.property(validCedula, fc.integer({ min: 1, max: 9 }), (c, delta) => {
        const wrong = c.slice(0, 9) + ((Number(c[9]) + delta) % 10);
        return !isValidCedula(wrong);
      }),
    );
  });

  test('a province outside 01–24 and 30 is invalid, even with a correct check digit', () => {
    fc.assert(fc.property(invalidProvince, fc.integer({ min: 0, max: 5 }), sixDigits, (p, t, rest) => !isValidCedula(withCheck(`${p}${t}${rest}`))));
  });

  test('a third digit of 6–9 is invalid, even with a correct check digit', () => {
    fc.assert(fc.property(validProvince, fc.integer({ min: 6, max: 9 }), sixDigits, (p, t, rest) => !isValidCedula(withCheck(`${p}${t}${rest}`))));
  });

  test('anything but exactly 10 digits is invalid', () => {
    fc.assert(fc.property(validCedula, digit, (c, d) => !isValidCedula(c.slice(0, 9)) && !isValidCedula(c + d) && !isValidCedula(c.slice(1))));
    for (const c of ['', '1', '171234567', '17123456750', '013505095250']) expect(isValidCedula(c)).toBe(false);
  });

  test('a non-digit anywhere makes it invalid', () => {
    const nonDigit = fc.constantFrom('a', ' ', '-', '.', '+', '٣', '５', '\u0000', 'é', "'");
    fc.assert(fc.property(validCedula, fc.integer({ min: 0, max: 9 }), nonDigit, (c, i, ch) => !isValidCedula(c.slice(0, i) + ch + c.slice(i + 1))));
    expect(isValidCedula(' 1712345675')).toBe(false);
    expect(isValidCedula('1712345675\n')).toBe(false);
  });

  test('a value that is not a string is invalid, even a number with the right digits', () => {
    for (const v of [1712345675, 1350509525n, null, undefined, ['1712345675'], { cedula: '1712345675' }]) expect(isValidCedula(v)).toBe(false);
  });

  test('about one in ten well-formed cédulas passes the check digit', () => {
    const nines = fc.tuple(validProvince, fc.integer({ min: 0, max: 5 }), sixDigits, digit).map(([p, t, rest, d]) => `${p}${t}${rest}${d}`);
    fc.assert(fc.property(nines, (c) => isValidCedula(c) === (Number(c[9]) === checkDigit(c))));
  });
});

describe('isAccountKey', () => {
  test('accepts 1 to 15 digits, so demo and imported accounts with any check digit can be looked up', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 15 }), (k) => isAccountKey(k)));
    for (const k of ['1315151515', '0987654321', '1']) expect(isAccountKey(k)).toBe(true);
  });

  test('refuses empty, longer than 15, non-digits and non-strings', () => {
    for (const k of ['', '1234567890123456', '12a', ' 1', '1 ', "1' OR '1'='1", 1315151515, null]) expect(isAccountKey(k)).toBe(false);
  });
});
