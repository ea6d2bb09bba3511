import { readKafkaSettings } from '../../../nodes/banco-kafka/settings';
import { sinkConnectionOf } from '../../../nodes/banco-kafka-export/connection-state';
import { KAFKA_SCHEMA_VERSION, prepareRecord } from '../../../nodes/banco-kafka-export/kafka-record';

describe('banco-kafka settings', () => {
  test('an unset ${KAFKA_BROKERS} (left as text by Node-RED) or an empty list makes the node idle, naming the variable', () => {
    expect(readKafkaSettings({ brokers: '${KAFKA_BROKERS}' })).toEqual({ kind: 'idle', reason: 'KAFKA_BROKERS' });
    expect(readKafkaSettings({ brokers: '${MY_KAFKA}' })).toEqual({ kind: 'idle', reason: 'MY_KAFKA' });
    expect(readKafkaSettings({ brokers: '  ' })).toEqual({ kind: 'idle', reason: 'KAFKA_BROKERS' });
  });

  test('brokers are host:port pairs; anything else is refused with the bad entry named', () => {
    const ok = readKafkaSettings({ brokers: '127.0.0.1:9092, kafka-2:19092' });
    expect(ok.kind === 'ok' && ok.settings.brokers).toEqual(['127.0.0.1:9092', 'kafka-2:19092']);
    expect(readKafkaSettings({ brokers: '127.0.0.1' })).toEqual({ kind: 'invalid', message: 'brokers: "127.0.0.1" is not host:port' });
    expect(readKafkaSettings({ brokers: 'h:70000' }).kind).toBe('invalid');
  });

  test('SASL needs both username and password, and only the listed mechanisms', () => {
    expect(readKafkaSettings({ brokers: 'h:1', sasl: 'scram-sha-512' }, { username: 'u' })).toMatchObject({ kind: 'invalid', message: 'SASL scram-sha-512 needs a username and a password' });
    expect(readKafkaSettings({ brokers: 'h:1', sasl: 'gssapi' }).kind).toBe('invalid');
    const ok = readKafkaSettings({ brokers: 'h:1', sasl: 'scram-sha-256' }, { username: 'u', password: 'p' });
    expect(ok.kind === 'ok' && ok.settings.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    expect(readKafkaSettings({ brokers: 'h:1', sasl: '${KAFKA_SASL}' }, { username: '${KAFKA_USERNAME}', password: '${KAFKA_PASSWORD}' })).toMatchObject({ kind: 'ok', settings: { sasl: undefined } });
  });

  test('TLS files with TLS off, half a client certificate, or an unreadable file are errors, not ignored', () => {
    expect(readKafkaSettings({ brokers: 'h:1', caFile: '/etc/hostname' }).kind).toBe('invalid');
    expect(readKafkaSettings({ brokers: 'h:1', tls: true, certFile: '/etc/hostname' })).toMatchObject({ message: 'a client certificate needs both the certificate and the key file' });
    expect(readKafkaSettings({ brokers: 'h:1', tls: 'true', caFile: '/nonexistent/ca.pem' })).toMatchObject({ kind: 'invalid' });
    const ok = readKafkaSettings({ brokers: 'h:1', tls: 'true', caFile: '/etc/hostname', rejectUnauthorized: 'false' });
    expect(ok.kind === 'ok' && ok.settings.tls).toMatchObject({ rejectUnauthorized: false });
  });
});

describe('banco-kafka-export record and status', () => {
  const opts = { topicFrom: 'fixed' as const, topic: 'banco.transacciones', valueBytesMax: 1_000_000 };

  test('a movement becomes a record keyed by cédula with id/type headers and the schema version', () => {
    const r = prepareRecord({ payload: JSON.stringify({ id: 'e1', cedula: '0900000019', tipo: 'RETIRO', monto: 5 }) }, opts);
    expect(r.ok && r.record.key).toBe('0900000019');
    expect(r.ok && r.record.headers).toEqual({ 'event-id': 'e1', 'event-type': 'RETIRO', 'schema-version': String(KAFKA_SCHEMA_VERSION), 'content-type': 'application/json' });
    expect(r.ok && JSON.parse(r.record.value.toString())).toEqual({ id: 'e1', cedula: '0900000019', tipo: 'RETIRO', monto: 5, schema_version: 1 });
  });

  test('a transfer event is keyed by the source account', () => {
    const r = prepareRecord({ topic: 'banco/transferencias', payload: { id: 't1', cedula_origen: '1350509525', cedula_destino: '1712345675', monto: 1 } }, opts);
    expect(r.ok && [r.record.key, r.record.headers['event-type']]).toEqual(['1350509525', 'transferencias']);
  });

  test('no id, no cédula, a bad topic or a non-object payload is bad input', () => {
    for (const msg of [{ payload: { cedula: '1' } }, { payload: { id: 'x' } }, { payload: 'not json' }, { payload: 42 }, { topic: 'a b', payload: { id: 'x', cedula: '1' } }]) {
      const r = prepareRecord(msg, { ...opts, topicFrom: 'msg' });
      expect(r.ok ? 'ok' : r.error.code).toBe('bad_input');
    }
  });

  test('the sink status sees connected only when the client said so; an unreachable broker is disconnected', () => {
    expect(sinkConnectionOf({ state: 'connected' })).toEqual({ state: 'connected' });
    expect(sinkConnectionOf({ state: 'unreachable', error: 'ECONNREFUSED' })).toEqual({ state: 'disconnected' });
    expect(sinkConnectionOf({ state: 'connecting' })).toEqual({ state: 'connecting' });
    expect(sinkConnectionOf({ state: 'failed', code: 'auth', error: 'SASL refused' })).toEqual({ state: 'error', detail: 'SASL refused' });
  });
});
