/**
 * Money on the wire (CONTRACT §2): amounts are integer cents inside, decimal text with at most two
 * decimals outside. Property tests with fast-check over parseAmount and formatCents.
 */
import fc from 'fast-check';
import { LIMITS } from '../../core/limits';
import { centsToNumber, decimalTextToCents, formatCents, parseAmount } from '../../core/ledger/money';

const MAX = LIMITS.amount_cents_max; // 1,000,000.00
const BALANCE_MAX = LIMITS.balance_cents_max;

const cents = fc.integer({ min: 1, max: MAX });
const anyCents = fc.integer({ min: 0, max: BALANCE_MAX });
const digits = (minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });
/** Text of a valid amount, in every accepted spelling: "5", "5.5", "5.50", "005.50". */
const validText = fc.tuple(cents, fc.constantFrom(0, 1, 2), fc.nat({ max: 2 })).map(([c, decimals, zeros]) => {
  const [units, fraction] = formatCents(c).split('.');
  const pad = '0'.repeat(zeros);
  if (decimals === 2 || fraction[1] !== '0') return `${pad}${units}.${fraction}`;
  if (decimals === 1 || fraction[0] !== '0') return `${pad}${units}.${fraction[0]}`;
  return `${pad}${units}`;
});

describe('formatCents', () => {
  test('always prints digits, a point and exactly two decimals', () => {
    fc.assert(fc.property(anyCents, (c) => /^[0-9]+\.[0-9]{2}$/.test(formatCents(c))));
  });

  test('prints the examples of the legacy replies', () => {
    expect([0, 1, 10, 100, 45025, 150000, 235075, BALANCE_MAX].map(formatCents)).toEqual(['0.00', '0.01', '0.10', '1.00', '450.25', '1500.00', '2350.75', '9999999999999.99']);
  });
});

describe('parseAmount', () => {
  test('parses back every amount formatCents prints, for every cent in range', () => {
    fc.assert(fc.property(cents, (c) => expect(parseAmount(formatCents(c), MAX)).toEqual({ ok: true, cents: c })), { numRuns: 2000 });
  });

  test('the round trip holds up to the largest balance', () => {
    fc.assert(fc.property(anyCents.filter((c) => c > 0), (c) => expect(parseAmount(formatCents(c), BALANCE_MAX)).toEqual({ ok: true, cents: c })));
  });

  test('accepts one decimal, no decimals and leading zeros', () => {
    fc.assert(fc.property(validText, (text) => expect(parseAmount(text, MAX)).toMatchObject({ ok: true, cents: decimalTextToCents(text) })));
    expect(parseAmount('150', MAX)).toEqual({ ok: true, cents: 15000 });
    expect(parseAmount('150.5', MAX)).toEqual({ ok: true, cents: 15050 });
    expect(parseAmount('0.01', MAX)).toEqual({ ok: true, cents: 1 });
  });

  test('accepts JSON numbers whose shortest text has at most two decimals, exactly', () => {
    fc.assert(fc.property(anyCents.filter((c) => c > 0), (c) => expect(parseAmount(centsToNumber(c), BALANCE_MAX)).toEqual({ ok: true, cents: c })));
    expect(parseAmount(150.5, MAX)).toEqual({ ok: true, cents: 15050 });
    expect(parseAmount(1e3, MAX)).toEqual({ ok: true, cents: 100000 });
  });

  test('rejects more than two decimals as a format error', () => {
    fc.assert(fc.property(digits(1, 12), digits(3, 8), (units, fraction) => expect(parseAmount(`${units}.${fraction}`, MAX)).toEqual({ ok: false, reason: 'formato' })));
  });

  test('rejects exponent forms as a format error', () => {
    const exponent = fc.tuple(validText, fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)).map(([m, e, s, x]) => `${m}${e}${s}${x}`);
    fc.assert(fc.property(exponent, (text) => expect(parseAmount(text, MAX)).toEqual({ ok: false, reason: 'formato' })));
  });

  test('rejects JSON numbers whose shortest text is an exponent form', () => {
    for (const n of [1e-7, 5e-324, 1e21, 1.5e300]) expect(parseAmount(n, BALANCE_MAX)).toEqual({ ok: false, reason: 'formato' });
  });

  test('rejects NaN and Infinity, as text and as numbers, as a format error', () => {
    for (const v of ['NaN', 'nan', 'Infinity', '-Infinity', '+Infinity', 'inf', NaN, Infinity, -Infinity]) expect(parseAmount(v, MAX)).toEqual({ ok: false, reason: 'formato' });
  });

  test('rejects numbers that binary floating point cannot hold as two decimals, such as 0.1 + 0.2', () => {
    for (const n of [0.1 + 0.2, 0.1 * 3, 1.005, 1 / 3, 2.675 * 1.0001]) expect(parseAmount(n, MAX)).toEqual({ ok: false, reason: 'formato' });
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e6, noNaN: true }), (n) => {
        fc.pre(!/^[0-9]+(\.[0-9]{1,2})?$/.test(String(n)));
        expect(parseAmount(n, MAX)).toEqual({ ok: false, reason: 'formato' });
      }),
    );
  });

  test('rejects a leading minus as not positive and a leading plus as a format error', () => {
    fc.assert(fc.property(validText, (text) => expect(parseAmount(`-${text}`, MAX)).toEqual({ ok: false, reason: 'no_positivo' })));
    fc.assert(fc.property(validText, (text) => expect(parseAmount(`+${text}`, MAX)).toEqual({ ok: false, reason: 'formato' })));
    fc.assert(fc.property(cents, (c) => expect(parseAmount(-c / 100, MAX)).toEqual({ ok: false, reason: 'no_positivo' })));
  });

  test('rejects zero in every spelling as not positive', () => {
    for (const v of ['0', '0.0', '0.00', '000', '-0', '-0.00', 0, -0]) expect(parseAmount(v, MAX)).toEqual({ ok: false, reason: 'no_positivo' });
  });

  test('rejects empty and blank text as a format error', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0'), maxLength: 5 }), (blank) => expect(parseAmount(blank, MAX)).toEqual({ ok: false, reason: 'formato' })));
  });

  test('rejects whitespace inside the amount as a format error', () => {
    const inside = fc.tuple(validText, fc.constantFrom(' ', '\t', '\u00a0', '\n'), fc.nat()).filter(([text]) => text.length >= 2).map(([text, ws, at]) => {
      const i = 1 + (at % (text.length - 1));
      return text.slice(0, i) + ws + text.slice(i);
    });
    fc.assert(fc.property(inside, (text) => expect(parseAmount(text, MAX)).toEqual({ ok: false, reason: 'formato' })));
  });

  test('accepts surrounding whitespace in text (implemented behaviour; the contract is silent)', () => {
    expect(parseAmount(' 5.50 ', MAX)).toEqual({ ok: true, cents: 550 });
  });

  test('rejects anything that is not plain digits with an optional point and one or two decimals', () => {
    for (const v of ['1,5', '1.', '.5', '1..5', '1.5.5', '0x10', '١٢', '５', 'abc', '5$', '$5', "1' OR '1'='1", '1;DROP TABLE clientes']) {
      expect({ v, r: parseAmount(v, MAX) }).toEqual({ v, r: { ok: false, reason: 'formato' } });
    }
    fc.assert(fc.property(fc.string(), (text) => {
      fc.pre(!/^\s*-?[0-9]+(\.[0-9]{1,2})?\s*$/.test(text));
      expect(parseAmount(text, MAX)).toEqual({ ok: false, reason: 'formato' });
    }));
  });

  test('rejects values that are neither text nor numbers as a format error', () => {
    for (const v of [null, undefined, true, {}, [], [5], { valor: 5 }, 5n]) expect(parseAmount(v, MAX)).toEqual({ ok: false, reason: 'formato' });
  });

  test('rejects amounts above the maximum as excede_maximo, text or number', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX + 1, max: BALANCE_MAX }), (c) => {
        expect(parseAmount(formatCents(c), MAX)).toEqual({ ok: false, reason: 'excede_maximo' });
        expect(parseAmount(centsToNumber(c), MAX)).toEqual({ ok: false, reason: 'excede_maximo' });
      }),
    );
    expect(parseAmount(formatCents(MAX), MAX)).toEqual({ ok: true, cents: MAX });
  });

  test('rejects integer parts too long for any maximum as excede_maximo', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), digits(15, 40), (lead, rest) => expect(parseAmount(`${lead}${rest}`, BALANCE_MAX)).toEqual({ ok: false, reason: 'excede_maximo' })));
  });
});
