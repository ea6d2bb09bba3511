/**
 * The PIN lockout rule (CONTRACT §4 "repeated wrong PINs lock the account for a while"), as a pure
 * function both stores apply inside their own transaction. Attempts are counted per cédula whether
 * or not an account exists, so an unknown cédula answers exactly like a known one.
 *
 * Each attempt is counted as a failure before the slow check (a correct PIN then clears the
 * count). A count lives until `venceMs` — `pin_lock_ms` after its latest failure — and the
 * `failuresMax`-th failure locks the cédula until then as well. Once that time passed, the count
 * starts again from zero: an expired lock leaves nothing behind, and a wrong PIN every
 * `pin_lock_ms` never adds up to a lock.
 */

/** The stored attempt state of one cédula (table `pin_intentos`). */
export interface PinIntentos {
  fallos: number;
  bloqueadoHastaMs: number | null;
  venceMs: number;
}

export interface PinReserva {
  reserved: boolean;
  /** Failures counted, this attempt included when reserved. */
  fallos: number;
  /** The state to store, or null when nothing changes (the cédula is locked). */
  write: PinIntentos | null;
}

/** `untilMs` is now + pin_lock_ms: the end of the count's life and of a lock taken now. */
export function reservePinAttempt(current: PinIntentos | null, nowMs: number, failuresMax: number, untilMs: number): PinReserva {
  const live = current !== null && current.venceMs > nowMs ? current : null;
  if (live !== null && live.bloqueadoHastaMs !== null && live.bloqueadoHastaMs > nowMs) return { reserved: false, fallos: live.fallos, write: null };
  const fallos = (live?.fallos ?? 0) + 1;
  return { reserved: true, fallos, write: { fallos, bloqueadoHastaMs: fallos >= failuresMax ? untilMs : null, venceMs: untilMs } };
}
