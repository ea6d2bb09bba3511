/**
 * Ecuadorian identity numbers (CONTRACT §2). New accounts must carry a valid one; existing
 * accounts (demo or imported data) are looked up by any key of the legacy column's shape.
 */

/** Legacy column: VARCHAR(15). Lookups accept 1–15 digits and nothing else. */
const ACCOUNT_KEY = /^[0-9]{1,15}$/;
const COEFFICIENTS = [2, 1, 2, 1, 2, 1, 2, 1, 2] as const;

export function isAccountKey(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_KEY.test(value);
}

/**
 * Valid when: 10 digits; province 01–24 or 30; third digit 0–5; last digit equals the modulo-10
 * check over the first nine with coefficients 2,1,2,…,2 (products over 9 minus 9).
 */
export function isValidCedula(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{10}$/.test(value)) return false;
  const digits = Array.from(value, Number);
  const province = digits[0] * 10 + digits[1];
  if (!((province >= 1 && province <= 24) || province === 30)) return false;
  if (digits[2] > 5) return false;
  let sum = 0;
  for (let i = 0; i < COEFFICIENTS.length; i++) {
    const product = digits[i] * COEFFICIENTS[i];
    sum += product > 9 ? product - 9 : product;
  }
  const check = (10 - (sum % 10)) % 10;
  return check === digits[9];
}
