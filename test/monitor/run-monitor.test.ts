import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { EmbeddedBroker } from '../../core/broker/embedded-broker';
import { runMonitor } from '../../core/monitor/run-monitor';
import { startTestCore } from '../helpers/core';
import { connect, endAll, publish, serviceLogin, startBroker, tempDir, waitFor, writeUsers } from '../broker/helpers';

interface Captured {
  stream: PassThrough;
  lines: () => string[];
}

function capture(tty = false): Captured {
  const stream = new PassThrough();
  if (tty) Object.assign(stream, { isTTY: true });
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

const deposit = JSON.stringify({ id: 'e1', cedula: '123', tipo: 'DEPOSITO', monto: 150, saldo_nuevo: 1150 });

describe('banco monitor', () => {
  let broker: EmbeddedBroker;
  const tmp = tempDir('banco-monitor-');
  const env = (): Record<string, string> => ({ MQTT_PORT: String(broker.tcpPort) });

  beforeAll(async () => {
    const usersFile = path.join(tmp.dir, 'users.json');
    await writeUsers(usersFile, [
      { username: 'relay', password: 'relay-secret-1', role: 'service' },
      { username: 'monitor', password: 'monitor-secret', role: 'reader' },
      { username: '123', password: 'cliente-secret', role: 'customer', cedula: '123' },
    ]);
    broker = await startBroker({ usersFile, allowAnonymous: true, wsPort: null });
  });
  afterAll(async () => {
    await broker.stop();
    tmp.remove();
  });

  async function publishAll(messages: Array<[string, string, boolean?]>): Promise<void> {
    const relay = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`, { username: 'relay', password: 'relay-secret-1' });
    for (const [topic, payload, retain] of messages) await publish(relay, topic, payload, { qos: 1, retain: retain ?? false });
    await endAll([relay]);
  }

  it('prints one plain line per event under banco/# on mqtt://HOST:MQTT_PORT and exits 0 when stopped', async () => {
    const out = capture();
    const stop = new AbortController();
    const running = runMonitor([], { ...env(), BANCO_MQTT_USERNAME: 'monitor', BANCO_MQTT_PASSWORD: 'monitor-secret' }, out.stream, { signal: stop.signal });
    await waitFor(() => out.lines().some((l) => l.startsWith('# conectado')));
    await publishAll([['banco/transacciones', deposit], ['banco/estadisticas', JSON.stringify({ clientes_conectados: 1, total_transacciones: 2, ips_activas: 1 })]]);
    await waitFor(() => out.lines().length >= 3);
    expect(out.lines().slice(1)).toEqual(['DEPÓSITO: $150.00 - Cédula: 123 - Nuevo saldo: $1150.00', 'ESTADÍSTICAS: Clientes conectados: 1 - Transacciones: 2 - IPs activas: 1']);
    expect(out.lines()[0]).toBe(`# conectado a mqtt://127.0.0.1:${broker.tcpPort}; escuchando banco/#`);
    stop.abort();
    await expect(running).resolves.toBe(0);
  });

  it('writes one JSON object per line with --json, keeping status lines off stdout, only for the --topic filters', async () => {
    await publishAll([['banco/saldo/123', JSON.stringify({ cedula: '123', saldo_nuevo: 5, saldo_anterior: 1 }), true]]);
    const out = capture();
    const err = capture();
    const stop = new AbortController();
    const running = runMonitor(['--json', '--topic', 'banco/saldo/+', '--topic', 'banco/retiros'], env(), out.stream, { err: err.stream, signal: stop.signal });
    await waitFor(() => out.lines().length === 1); // the retained saldo
    await publishAll([['banco/depositos', deposit], ['banco/retiros', 'texto']]);
    await waitFor(() => out.lines().length === 2);
    expect(out.lines().map((l) => JSON.parse(l))).toEqual([
      { topic: 'banco/saldo/123', payload: { cedula: '123', saldo_nuevo: 5, saldo_anterior: 1 }, retained: true },
      { topic: 'banco/retiros', payload: 'texto', retained: false },
    ]);
    expect(err.lines()[0]).toMatch(/^# conectado a .*; escuchando banco\/saldo\/\+, banco\/retiros$/);
    stop.abort();
    await running;
  });

  it('colours lines on a terminal unless NO_COLOR or --no-color', async () => {
    for (const [extraEnv, args, coloured] of [[{}, [], true], [{ NO_COLOR: '1' }, [], false], [{}, ['--no-color'], false]] as const) {
      const out = capture(true);
      const stop = new AbortController();
      const running = runMonitor([...args, '--topic', 'banco/depositos'], { ...env(), ...extraEnv }, out.stream, { signal: stop.signal });
      await waitFor(() => out.lines().length === 1);
      await publishAll([['banco/depositos', deposit]]);
      await waitFor(() => out.lines().length === 2);
      expect(out.lines()[1].includes('\u001b[32m')).toBe(coloured);
      stop.abort();
      await running;
    }
  });

  it('reconnects by itself after the broker restarts, with a status line, and keeps printing', async () => {
    const own = await startBroker({ allowAnonymous: true, wsPort: null });
    const port = own.tcpPort;
    const out = capture();
    const stop = new AbortController();
    const running = runMonitor(['--topic', 'banco/retiros'], { MQTT_URL: `mqtt://127.0.0.1:${port}` }, out.stream, { signal: stop.signal });
    await waitFor(() => out.lines().length === 1);
    await own.stop();
    await waitFor(() => out.lines().some((l) => l.startsWith('# desconectado')));
    const again = await startBroker({ allowAnonymous: true, wsPort: null, tcpPort: port });
    try {
      await waitFor(() => out.lines().filter((l) => l.startsWith('# conectado')).length === 2, 10_000);
      expect(out.lines().some((l) => l.startsWith('# reconectando'))).toBe(true);
      const pub = await connect(`mqtt://127.0.0.1:${port}`, await serviceLogin()); // anonymous clients may only read
      await publish(pub, 'banco/retiros', JSON.stringify({ cedula: '9', monto: 1, saldo_nuevo: 2 }));
      await endAll([pub]);
      await waitFor(() => out.lines().includes('RETIRO: $1.00 - Cédula: 9 - Nuevo saldo: $2.00'));
    } finally {
      stop.abort();
      await running;
      await again.stop();
    }
  });

  it('exits 1 with a status line when the broker refuses every subscription', async () => {
    const out = capture();
    const code = await runMonitor([], { ...env(), BANCO_MQTT_USERNAME: '123', BANCO_MQTT_PASSWORD: 'cliente-secret' }, out.stream);
    expect(code).toBe(1);
    expect(out.lines()).toContain('# suscripción rechazada por el broker: banco/#');
  });

  it('exits 2 with the usage on a bad option', async () => {
    const err = capture();
    expect(await runMonitor(['--bogus'], {}, capture().stream, { err: err.stream })).toBe(2);
    expect(err.lines().join('\n')).toContain('usage: banco monitor');
  });

  describe('against a real core relaying its movements', () => {
    const login = { BANCO_MQTT_USERNAME: 'relay', BANCO_MQTT_PASSWORD: 'relay-secret-1' };
    const marker = { cedula: '1350509525', nombres: 'Stefano', apellidos: 'Aguilar' };

    async function watchWhileMoving(args: string[], expected: number): Promise<string[]> {
      const core = await startTestCore({ BANCO_RELAY: 'on', ...env(), ...login, BANCO_STATS_INTERVAL_MS: '0' });
      const out = capture();
      const stop = new AbortController();
      const running = runMonitor(args, { ...env(), ...login }, out.stream, { signal: stop.signal });
      try {
        await waitFor(() => out.lines().some((l) => l.startsWith('# conectado')));
        await new Promise((r) => setTimeout(r, 100)); // the SUBACK
        await core.ledger.depositar({ cedula: marker.cedula, monto: '150' });
        await core.ledger.transferir({ origen: marker.cedula, destino: '1720304050', monto: '25.50' });
        await waitFor(() => out.lines().length >= expected + 1);
        await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
        return out.lines().slice(1).filter((l) => !l.includes('(retenido)'));
      } finally {
        stop.abort();
        await running;
        await core.stop();
      }
    }

    it('prints a deposit once and a transfer once by default, though the bus carries each several times', async () => {
      const lines = await watchWhileMoving([], 2);
      expect(lines).toEqual(['DEPÓSITO: $150.00 - Cédula: 1350509525 - Nuevo saldo: $5150.00', 'TRANSFERENCIA: $25.50 - De: 1350509525 → A: 1720304050 - Saldo origen: $5124.50 - Saldo destino: $2376.25']);
    });

    it('with --all prints every message on every topic, each line labelled with its topic', async () => {
      // Deposit: transacciones, depositos, saldo; transfer: two sides, transferencias, two saldo.
      const lines = await watchWhileMoving(['--all'], 8);
      expect(lines).toHaveLength(8);
      expect(lines.filter((l) => l.startsWith('[banco/transacciones] '))).toHaveLength(3);
      expect(lines).toContain('[banco/depositos] DEPÓSITO: $150.00 - Cédula: 1350509525 - Nuevo saldo: $5150.00');
      expect(lines).toContain('[banco/transacciones] DEPÓSITO: $150.00 - Cédula: 1350509525 - Nuevo saldo: $5150.00');
      expect(lines.filter((l) => l.startsWith('[banco/saldo/'))).toHaveLength(3);
      expect(lines.filter((l) => l.startsWith('[banco/transferencias] TRANSFERENCIA: $25.50'))).toHaveLength(1);
    });
  });
});
