/**
 * A connection lost while `COMMIT` was on its way has an unknown outcome: the server may have
 * committed and only the answer was lost. Telling the client "try again" (NO_DISPONIBLE) could
 * then make it move the money twice, so the store looks the batch up on a new connection first
 * (issue 8). Every batch that wrote something left a row whose key was known before COMMIT:
 * an outbox row (UUIDv7 id, unique index), else an idempotency key, else a new account.
 */
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { HubError } from '../../errors';
import type { Cambios } from '../../ledger/types';

/** A locking read of one row the batch wrote; found ⇔ the batch committed. */
export interface CommitMarker {
  sql: string;
  params: unknown[];
}

/** MySQL: KILL of a connection that has already ended. */
const ER_NO_SUCH_THREAD = 1094;

/**
 * `LOCK IN SHARE MODE` waits (up to the session's lock wait) while the lost transaction still
 * holds the row — still committing or rolling back — instead of reading past it.
 */
export function commitMarker(c: Cambios): CommitMarker | null {
  const evento = c.eventos[0];
  if (evento) return { sql: 'SELECT 1 FROM outbox WHERE id = ? LOCK IN SHARE MODE', params: [evento.id] };
  const ref = c.refs[0];
  if (ref) return { sql: 'SELECT 1 FROM idempotencia WHERE ref = ? AND resultado = ? LOCK IN SHARE MODE', params: [ref.ref, JSON.stringify(ref.resultado)] };
  const nueva = c.nuevas[0];
  if (nueva) {
    // The salted PIN hash is unique to this request; without a PIN, same names at the same moment.
    return {
      sql: 'SELECT 1 FROM clientes WHERE cedula = ? AND nombres = ? AND apellidos = ? AND pin_hash <=> ? LOCK IN SHARE MODE',
      params: [nueva.cedula, nueva.nombres, nueva.apellidos, nueva.pinHash],
    };
  }
  return null;
}

/**
 * True when the lost batch committed. First ends the old session if the server still holds it
 * (a cut network leaves it open, locks and all), so the look-up sees its final outcome.
 */
export async function lookUpCommit(conn: PoolConnection, marker: CommitMarker, lostThreadId: number | null): Promise<boolean> {
  if (lostThreadId !== null) {
    try {
      await conn.query('KILL CONNECTION ?', [lostThreadId]);
    } catch (err) {
      if ((err as { errno?: number }).errno !== ER_NO_SUCH_THREAD) throw err;
    }
  }
  const [rows] = await conn.query<RowDataPacket[]>(marker.sql, marker.params);
  return rows.length > 0;
}

/** The client gets this when even the look-up failed: it must check its balance (docs/errors.md). */
export function outcomeUnknown(lost: unknown, lookUp: unknown): HubError {
  return new HubError('RESULTADO_INCIERTO', undefined, { cause: new AggregateError([lost, lookUp], 'COMMIT lost and its outcome could not be looked up') });
}
