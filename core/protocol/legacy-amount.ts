/**
 * Opt-in rounding for the legacy text protocol only (BANCO_LEGACY_ROUND_AMOUNTS=on). The old
 * clients send amounts such as `63.84729384729384` (test_concurrency.py); the old server stored
 * them in a MySQL DECIMAL(10,2) column, which rounds extra decimals half-up to cents. Only a
 * plain decimal with more than two decimals is rounded; NaN, Infinity, exponents and signs are
 * left as they are, so the normal amount validation still refuses them.
 */
const MANY_DECIMALS = /^([0-9]{1,20})\.([0-9]{3,})$/;

/** The amount word of each money-moving command. */
const AMOUNT_INDEX: Readonly<Record<string, number>> = { AUMENTAR: 1, DISMINUIR: 1, TRANSFERIR: 2 };

export function roundLegacyAmount(text: string): string {
  const m = MANY_DECIMALS.exec(text);
  if (m === null) return text;
  const [, whole, decimals] = m;
  const cents = BigInt(whole) * 100n + BigInt(decimals.slice(0, 2)) + (decimals[2] >= '5' ? 1n : 0n);
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** `args` with the command's amount word rounded, when the command has one. */
export function roundAmountArgs(command: string, args: readonly string[]): string[] {
  const index = AMOUNT_INDEX[command];
  const out = [...args];
  if (index !== undefined && index < out.length) out[index] = roundLegacyAmount(out[index]);
  return out;
}
