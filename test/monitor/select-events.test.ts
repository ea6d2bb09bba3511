/** Which bus messages the monitor prints by default: each movement once (core/monitor/select-events.ts). */
import { isPrinted } from '../../core/monitor/select-events';

const body = (fields: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify(fields));

describe('the monitor default selection', () => {
  it('prints deposits and withdrawals from transacciones and skips their copies on depositos, retiros and saldo', () => {
    expect(isPrinted('banco/transacciones', body({ tipo: 'DEPOSITO' }), 'banco', 'movements')).toBe(true);
    expect(isPrinted('banco/transacciones', body({ tipo: 'RETIRO' }), 'banco', 'movements')).toBe(true);
    expect(isPrinted('banco/depositos', body({ tipo: 'DEPOSITO' }), 'banco', 'movements')).toBe(false);
    expect(isPrinted('banco/retiros', body({ tipo: 'RETIRO' }), 'banco', 'movements')).toBe(false);
    expect(isPrinted('banco/saldo/1350509525', body({ saldo_nuevo: 1 }), 'banco', 'movements')).toBe(false);
  });

  it('prints a transfer once, from transferencias, and skips its two sides on transacciones', () => {
    expect(isPrinted('banco/transferencias', body({ monto: 1 }), 'banco', 'movements')).toBe(true);
    expect(isPrinted('banco/transacciones', body({ tipo: 'TRANSFERENCIA_ENVIADA' }), 'banco', 'movements')).toBe(false);
    expect(isPrinted('banco/transacciones', body({ tipo: 'TRANSFERENCIA_RECIBIDA' }), 'banco', 'movements')).toBe(false);
  });

  it('prints alerts, statistics, unknown topics, unparsable payloads and topics outside the prefix', () => {
    for (const topic of ['banco/alertas', 'banco/estadisticas', 'banco/otro', 'otro/depositos']) expect(isPrinted(topic, body({}), 'banco', 'movements')).toBe(true);
    expect(isPrinted('banco/transacciones', Buffer.from('no json'), 'banco', 'movements')).toBe(true);
  });

  it('follows the configured prefix and prints everything when asked to', () => {
    expect(isPrinted('mi/banco/depositos', body({}), 'mi/banco', 'movements')).toBe(false);
    expect(isPrinted('banco/depositos', body({}), 'banco', 'everything')).toBe(true);
    expect(isPrinted('banco/saldo/1', body({}), 'banco', 'everything')).toBe(true);
  });
});
