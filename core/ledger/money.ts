/**
 * Money is integer cents inside the program (CONTRACT §2). These functions are the only places
 * where cents meet their decimal text, at the edges: parsing requests, printing replies.
 */

export type AmountRejection =
  /** Not a plain decimal with at most two decimals (NaN, Infinity, exponent, 1.234, "abc"). */
  | 'formato'
  /** Zero or negative. */
  | 'no_positivo'
  /** Above the configured maximum. */
  | 'excede_maximo';

export type AmountResult = { ok: true; cents: number } | { ok: false; reason: AmountRejection };

/** Digits before the point we even look at; anything longer exceeds every maximum. */
const INTEGER_DIGITS_MAX = 15;
const PLAIN_DECIMAL = /^([0-9]+)(?:\.([0-9]{1,2}))?$/;
const NEGATIVE_DECIMAL = /^-[0-9]+(?:\.[0-9]{1,2})?$/;

/**
 * Parses an amount from the wire: a decimal string ("150", "150.5", "150.50") or, in JSON, a
 * number. Numbers go through their shortest round-trip text, so 0.1 + 0.2 is refused for having
 * too many decimals rather than silently rounded.
 */
export function parseAmount(input: unknown, maxCents: number): AmountResult {
  let text: string;
  if (typeof input === 'string') text = input.trim();
  else if (typeof input === 'number') text = Number.isFinite(input) ? String(input) : 'NaN';
  else return { ok: false, reason: 'formato' };

  if (NEGATIVE_DECIMAL.test(text)) return { ok: false, reason: 'no_positivo' };
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return { ok: false, reason: 'formato' };
  const integerPart = match[1].replace(/^0+(?=[0-9])/, '');
  if (integerPart.length > INTEGER_DIGITS_MAX) return { ok: false, reason: 'excede_maximo' };
  const cents = Number(integerPart) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (cents <= 0) return { ok: false, reason: 'no_positivo' };
  if (cents > maxCents) return { ok: false, reason: 'excede_maximo' };
  return { ok: true, cents };
}

/** 150050 → "1500.50". Always two decimals, no grouping (CONTRACT §3). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const rest = abs % 100;
  return `${sign}${units}.${rest < 10 ? '0' : ''}${rest}`;
}

/**
 * Cents as a JSON number with at most two decimals (CONTRACT §5 payloads). n / 100 is the double
 * nearest the decimal, and JSON prints the shortest text that round-trips, i.e. the decimal.
 */
export function centsToNumber(cents: number): number {
  return cents / 100;
}

/** "1500.50" or "1500.5" from DECIMAL columns → 150050, exactly. */
export function decimalTextToCents(text: string): number {
  const match = /^(-?)([0-9]+)(?:\.([0-9]{1,2})[0]*)?$/.exec(text.trim());
  if (!match) throw new Error(`not a DECIMAL(…,2) value: ${JSON.stringify(text)}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}
