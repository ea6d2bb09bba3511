import { formatEvent, money } from '../../core/monitor/format-event';

const j = (value: unknown): string => JSON.stringify(value);
const mov = { id: 'e1', timestamp: '2024-05-01T12:00:00Z', cedula: '123', monto: 150, saldo_nuevo: 1150 };

describe('formatEvent', () => {
  it.each([
    ['banco/depositos', j({ ...mov, tipo: 'DEPOSITO' }), 'DEPÓSITO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00'],
    ['banco/retiros', j({ ...mov, tipo: 'RETIRO', monto: 50.5, saldo_nuevo: 99.5 }), 'RETIRO: $50.50 - Cédula: 123 - Nuevo saldo: $99.50'],
    ['banco/transacciones', j({ ...mov, tipo: 'DEPOSITO' }), 'DEPÓSITO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00'],
    ['banco/transacciones', j({ ...mov, tipo: 'TRANSFERENCIA_ENVIADA', monto: 200, saldo_nuevo: 800 }), 'TRANSFERENCIA ENVIADA: $200.00 - Cédula: 123 - Nuevo saldo: $800.00'],
    ['banco/transacciones', j({ ...mov, tipo: 'TRANSFERENCIA_RECIBIDA', monto: 200, saldo_nuevo: 1200 }), 'TRANSFERENCIA RECIBIDA: $200.00 - Cédula: 123 - Nuevo saldo: $1200.00'],
    ['banco/transacciones', j({ ...mov, tipo: 'AJUSTE' }), 'TRANSACCIÓN AJUSTE: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00'],
    [
      'banco/transferencias',
      j({ id: 'e2', cedula_origen: '111', cedula_destino: '222', monto: 200, saldo_origen: 800, saldo_destino: 1200.25 }),
      'TRANSFERENCIA: $200.00 - De: 111 → A: 222 - Saldo origen: $800.00 - Saldo destino: $1200.25',
    ],
    ['banco/saldo/123', j({ id: 'e3', cedula: '123', saldo_nuevo: 1150, saldo_anterior: 1000 }), 'SALDO: Cédula: 123 - Anterior: $1000.00 - Nuevo: $1150.00'],
    ['banco/saldo/0912345678', j({ saldo_nuevo: 1 }), 'SALDO: Cédula: 0912345678 - Anterior: $? - Nuevo: $1.00'],
    [
      'banco/alertas',
      j({ id: 'e4', type: 'LOW_BALANCE', message: 'Saldo bajo: $50.00', cedula: '123', data: { saldo: 50 } }),
      'ALERTA LOW_BALANCE: Saldo bajo: $50.00 - Cédula: 123',
    ],
    ['banco/alertas', j({ event: 'publisher_disconnected', client_id: 'relay-1', timestamp: 't' }), 'ALERTA: publicador desconectado (relay-1)'],
    [
      'banco/estadisticas',
      j({ clientes_conectados: 3, total_transacciones: 42, ips_activas: 2 }),
      'ESTADÍSTICAS: Clientes conectados: 3 - Transacciones: 42 - IPs activas: 2',
    ],
    ['banco/otra/cosa', j({ a: 1 }), 'banco/otra/cosa: {"a":1}'],
    ['sensores/temp', '21.5', 'sensores/temp: 21.5'],
    ['banco/depositos', 'no es json', 'banco/depositos: no es json'],
    ['banco/saldo', j({ saldo_nuevo: 1 }), 'banco/saldo: {"saldo_nuevo":1}'],
  ])('formats %s %s', (topic, payload, line) => {
    expect(formatEvent(topic, Buffer.from(payload))).toBe(line);
  });

  it('colours each kind of event with ANSI codes only when asked', () => {
    const payload = j({ ...mov, tipo: 'DEPOSITO' });
    expect(formatEvent('banco/depositos', payload, { color: true })).toBe('\u001b[32mDEPÓSITO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00\u001b[0m');
    expect(formatEvent('banco/alertas', j({ type: 'LOW_BALANCE', message: 'm' }), { color: true })).toMatch(/^\u001b\[31m/);
    expect(formatEvent('banco/depositos', payload)).not.toContain('\u001b');
  });

  it('follows a configured topic prefix', () => {
    expect(formatEvent('acme/banco/retiros', j(mov), { prefix: 'acme/banco' })).toBe('RETIRO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00');
    expect(formatEvent('banco/retiros', j(mov), { prefix: 'acme/banco' })).toBe(`banco/retiros: ${j(mov)}`);
  });

  it('removes terminal control characters that come in a payload', () => {
    const line = formatEvent('banco/depositos', j({ ...mov, cedula: '12\u001b[2J3\n' }));
    expect(line).toBe('DEPÓSITO: $150.00 - Cédula: 12 [2J3  - Nuevo saldo: $1150.00');
    expect(formatEvent('x/\u001b]0;pwn\u0007', 'a\u001bb')).toBe('x/ ]0;pwn : a b');
  });

  it('cuts long values', () => {
    const line = formatEvent('raro', 'x'.repeat(10_000));
    expect(line.length).toBeLessThan(140);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('money', () => {
  it.each([
    [150, '$150.00'],
    [0.1, '$0.10'],
    [1234567.89, '$1234567.89'],
    ['150', '$150.00'],
    ['150.5', '$150.50'],
    [Number.NaN, '$?'],
    ['1e3', '$?'],
    [null, '$?'],
  ])('shows %p as %s', (value, shown) => {
    expect(money(value)).toBe(shown);
  });
});
