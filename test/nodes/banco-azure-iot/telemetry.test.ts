/** Message → telemetry item, batch packing at the 256 KB limit, and the rate limit. */
import { AZURE_LIMITS } from '../../../nodes/banco-azure-device/limits';
import { packMessages } from '../../../nodes/banco-azure-iot/pack-messages';
import { RateLimit } from '../../../nodes/banco-azure-iot/rate-limit';
import { messageBytes, telemetryOf, type TelemetryItem } from '../../../nodes/banco-azure-iot/telemetry';

function item(payload: unknown, extra: Record<string, unknown> = {}): TelemetryItem {
  const prepared = telemetryOf({ payload, ...extra });
  if (!prepared.ok) throw prepared.error;
  return prepared.item;
}

describe('telemetry of one message', () => {
  test('a string is text/plain utf-8, a Buffer octet-stream without encoding, an object JSON', () => {
    expect(item('hola').properties).toEqual([['$.ct', 'text/plain'], ['$.ce', 'utf-8']]);
    expect(item(Buffer.from([1, 2])).properties).toEqual([['$.ct', 'application/octet-stream']]);
    expect(item({ id: 'x', tipo: 'RETIRO', cedula: '1' }).properties).toEqual([['$.mid', 'x'], ['$.ct', 'application/json'], ['$.ce', 'utf-8'], ['eventType', 'RETIRO'], ['cedula', '1']]);
  });

  test('a transfer names its origin cédula and type; msg.properties override the event ones', () => {
    const transfer = item({ id: 't', cedula_origen: '1', cedula_destino: '2' }, { properties: { cedula: '9' } });
    expect(transfer.properties).toEqual([['$.mid', 't'], ['$.ct', 'application/json'], ['$.ce', 'utf-8'], ['eventType', 'TRANSFERENCIA'], ['cedula', '9']]);
  });

  test.each([
    [undefined, {}, 'msg.payload is empty'],
    ['x', { properties: 'a=b' }, 'must be an object'],
    ['x', { properties: { $x: '1' } }, 'reserved by IoT Hub'],
    ['x', { properties: { o: { a: 1 } } }, 'must be a string, number or boolean'],
  ])('refuses %j %j', (payload, extra, reason) => {
    const prepared = telemetryOf({ payload, ...extra });
    expect(prepared.ok).toBe(false);
    expect(prepared.ok ? '' : `${prepared.error.code} ${prepared.error.message}`).toMatch(new RegExp(`bad_input .*${reason.replace(/[.$]/g, '\\$&')}`));
  });

  test('a message over 256 KB with its properties is refused, one just under is accepted', () => {
    const props = item('').properties;
    const room = AZURE_LIMITS.message_bytes_max - messageBytes(Buffer.alloc(0), props);
    expect(telemetryOf({ payload: 'x'.repeat(room) }).ok).toBe(true);
    const over = telemetryOf({ payload: 'x'.repeat(room + 1) });
    expect(over.ok ? undefined : over.error.code).toBe('permanent');
  });
});

describe('packing a batch', () => {
  test('without batching each item is its own message', () => {
    const batch = [item('a'), item('b')];
    expect(packMessages(batch, 1).map((m) => m.items)).toEqual([[0], [1]]);
  });

  test('with batching, messages are filled up to 256 KB and never past it', () => {
    const batch = Array.from({ length: 10 }, (_, i) => item({ id: `e${i}`, relleno: 'x'.repeat(60 * 1024) }));
    const messages = packMessages(batch, 10);
    expect(messages.map((m) => m.items)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    for (const m of messages) expect(messageBytes(m.body, m.properties)).toBeLessThanOrEqual(AZURE_LIMITS.message_bytes_max);
    expect(JSON.parse(messages[2].body.toString()).map((e: { body: { id: string } }) => e.body.id)).toEqual(['e8', 'e9']);
  });

  test('with batching, a message holds at most the configured number of events', () => {
    const batch = Array.from({ length: 7 }, (_, i) => item({ id: `e${i}` }));
    expect(packMessages(batch, 3).map((m) => m.items)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  test('an item that fits alone but not wrapped in a batch goes unwrapped', () => {
    const big = item('x'.repeat(AZURE_LIMITS.message_bytes_max - 40));
    const messages = packMessages([big], 10);
    expect(messages).toHaveLength(1);
    expect(messages[0].body).toBe(big.body);
  });
});

describe('rate limit', () => {
  test('sends wait for the per-second budget instead of failing', async () => {
    let now = 0;
    const waits: number[] = [];
    const limit = new RateLimit({ sendsPerSecond: 2, messagesPerDay: 100, now_ms: () => now, sleep: async (ms) => { waits.push(ms); now += ms; } });
    for (let i = 0; i < 4; i++) await limit.takeSend();
    expect(waits).toEqual([500, 500]);
  });

  test('the daily quota counts 4 KB blocks, refuses past it and starts again at 00:00 UTC', () => {
    let now = Date.UTC(2026, 0, 1, 23, 59);
    const limit = new RateLimit({ sendsPerSecond: 10, messagesPerDay: 3, now_ms: () => now });
    expect(limit.takeDaily(100)).toBe(true);
    expect(limit.takeDaily(5_000)).toBe(true);
    expect(limit.used).toBe(3);
    expect(limit.takeDaily(1)).toBe(false);
    now = Date.UTC(2026, 0, 2, 0, 0);
    expect(limit.takeDaily(1)).toBe(true);
  });
});
