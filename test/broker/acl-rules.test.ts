import { canPublish, canReceive, canSubscribe } from '../../core/broker/acl';
import { createHeaderScanner } from '../../core/broker/packet-size-guard';
import { ANONYMOUS_PRINCIPAL, type Principal } from '../../core/broker/principal';

const service: Principal = { username: 'relay', role: 'service' };
const reader: Principal = { username: 'auditor', role: 'reader' };
const customer: Principal = { username: '123', role: 'customer', cedula: '123' };
const customerWithoutCedula: Principal = { username: 'x', role: 'customer' };

describe('ACL rules', () => {
  it.each([
    [service, 'banco/depositos', true],
    [service, 'banco', true],
    [service, 'bancox/depositos', false],
    [service, 'otro/banco/depositos', false],
    [reader, 'banco/depositos', false],
    [customer, 'banco/saldo/123', false],
    [ANONYMOUS_PRINCIPAL, 'banco/saldo/123', false],
    [ANONYMOUS_PRINCIPAL, 'banco/alertas', false],
  ])('publish: %j to %s → %s', (who, topic, allowed) => {
    expect(canPublish(who, topic, 'banco')).toBe(allowed);
  });

  it.each([
    [service, 'banco/#', true],
    [reader, 'banco/saldo/+', true],
    [reader, '#', false],
    [reader, '+/saldo/+', false],
    [reader, '$SYS/#', false],
    [customer, 'banco/saldo/123', true],
    [customer, 'banco/saldo/1234', false],
    [customer, 'banco/saldo/+', false],
    [customer, 'banco/saldo/#', false],
    [customer, 'banco/#', false],
    [customerWithoutCedula, 'banco/saldo/undefined', false],
  ])('subscribe: %j to %s → %s', (who, filter, allowed) => {
    expect(canSubscribe(who, filter, 'banco')).toBe(allowed);
  });

  it('lets a customer receive only its own saldo topic, whatever it subscribed to', () => {
    expect(canReceive(customer, 'banco/saldo/123', 'banco')).toBe(true);
    expect(canReceive(customer, 'banco/saldo/124', 'banco')).toBe(false);
    expect(canReceive(customer, 'banco/saldo/123/x', 'banco')).toBe(false);
    expect(canReceive(customer, 'banco/transacciones', 'banco')).toBe(false);
    expect(canReceive(reader, 'banco/saldo/124', 'banco')).toBe(true);
    expect(canReceive(reader, 'otro/x', 'banco')).toBe(false);
  });

  it('applies a multi-level prefix', () => {
    expect(canSubscribe(customer, 'acme/banco/saldo/123', 'acme/banco')).toBe(true);
    expect(canPublish(service, 'acme/otro', 'acme/banco')).toBe(false);
  });
});

describe('packet header scanner', () => {
  const publishHeader = (remaining: number): Buffer => {
    const bytes = [0x30];
    let n = remaining;
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      bytes.push(b);
    } while (n > 0);
    return Buffer.from(bytes);
  };

  it('follows packets across any chunking and accepts those within the bound', () => {
    const stream = Buffer.concat([publishHeader(300), Buffer.alloc(300), publishHeader(0), publishHeader(1000), Buffer.alloc(1000)]);
    const scan = createHeaderScanner(1000);
    for (let i = 0; i < stream.length; i += 7) expect(scan(stream.subarray(i, i + 7))).toBeNull();
  });

  it('refuses a packet over the bound from its header alone, even split byte by byte', () => {
    const scan = createHeaderScanner(1000);
    expect(scan(Buffer.concat([publishHeader(10), Buffer.alloc(10)]))).toBeNull();
    const header = publishHeader(1001);
    const results = [...header].map((b) => scan(Buffer.from([b])));
    expect(results.at(-1)?.message).toBe('MQTT packet of 1001 bytes exceeds 1000');
  });

  it('refuses a remaining length longer than four bytes (MQTT 3.1.1 §2.2.3)', () => {
    const scan = createHeaderScanner(Number.MAX_SAFE_INTEGER);
    expect(scan(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]))?.message).toBe('malformed MQTT remaining length');
  });
});
