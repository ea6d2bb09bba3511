/**
 * The old front end's reply shapes (CONTRACT §7): `{success: true, action, data}` or
 * `{success: false, error}`. Amounts are JSON numbers, as the old Flask bridge sent them.
 */
export type LegacyReply = { success: true; action: string; data: Record<string, unknown> } | { success: false; error: string };

export const ok = (action: string, data: Record<string, unknown>): LegacyReply => ({ success: true, action, data });
export const fail = (error: string): LegacyReply => ({ success: false, error });

/** "150.00" → 150 (the core's amounts have two decimals; a JSON number prints them back exactly). */
export const amount = (v: unknown): number => Number(v);

export function legacyMovement(m: Record<string, unknown>): Record<string, unknown> {
  return { tipo: m.tipo, monto: amount(m.monto), saldo_final: amount(m.saldo_final), fecha: m.fecha };
}

/** The old server's split of a full name (CONTRACT §3 CREAR): the first half of the words are nombres. */
export function splitNombre(nombre: string): { nombres: string; apellidos: string } | null {
  const words = nombre.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length < 2) return null;
  const half = Math.floor(words.length / 2);
  return { nombres: words.slice(0, half).join(' '), apellidos: words.slice(half).join(' ') };
}
