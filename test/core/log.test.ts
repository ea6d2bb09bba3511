/**
 * One log format (docs/logging.md): every line a JSON object with time, level, component,
 * instance, event and msg, then the context; secrets never printed — by field name at any depth,
 * as URL credentials, or as the literal value of a secret setting inside free text.
 */
import { createLogger, logFormatFromEnv, type LogOptions } from '../../core/log';
import { redact, safeUrl, scrubText, secretValuesOf } from '../../core/log-redact';
import { nodeRedLogHandler } from '../../hub/node-red-log';

function capture(options: LogOptions = {}): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ instance: 'test/1', ...options, write: (l) => lines.push(l) }) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the common fields first and the context after', () => {
    const { lines, log } = capture({ component: 'core' });
    log.info('core.listening', { port: 5000 });
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]);
    expect(e).toEqual({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), instance: 'test/1', component: 'core', event: 'core.listening', port: 5000, msg: 'core.listening' });
  });

  it('lets a child name its component and a field carry the human message, without duplicate keys', () => {
    const { lines, log } = capture({ component: 'core' });
    log.child({ component: 'relay' }).warn('relay.slow', { msg: 'the broker is slow', level: 'fake', time: 'fake' });
    expect(lines[0].match(/"component"/g)).toHaveLength(1);
    expect(lines[0].match(/"level"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', component: 'relay', event: 'relay.slow', msg: 'the broker is slow' });
  });

  it('drops lines below the level', () => {
    const { lines, log } = capture({ level: 'warn' });
    log.info('quiet');
    log.error('loud');
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(['loud']);
  });

  it('redacts secret fields, URL credentials and secret setting values, and never prints a stack', () => {
    const { lines, log } = capture({ secrets: secretValuesOf({ BANCO_CORE_TOKEN: 'tok-0123456789abcdef', BANCO_MQTT_PASSWORD: 'mqtt-pass-secret', HOST: '127.0.0.1' }) });
    const err = new Error('auth failed for tok-0123456789abcdef');
    log.error('x.failed', { password: 'hunter22', nested: { auth: { token: 't' } }, url: 'mysql://root:dbpass@db:3306/banco', note: 'sent mqtt-pass-secret to the broker', err });
    const line = lines[0];
    for (const secret of ['hunter22', 'dbpass', 'tok-0123456789abcdef', 'mqtt-pass-secret', '"t"']) expect(line).not.toContain(secret);
    expect(line).not.toContain('    at ');
    expect(JSON.parse(line)).toMatchObject({ password: '[redacted]', nested: { auth: { token: '[redacted]' } }, url: 'mysql://***@db:3306/banco', note: 'sent [redacted] to the broker', err: { name: 'Error', message: 'auth failed for [redacted]' } });
  });

  it('prints the same facts readably in the pretty form', () => {
    const { lines, log } = capture({ format: 'pretty', colour: false, component: 'core' });
    log.info('core.listening', { port: 5000, password: 'hunter22' });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  core +core\.listening port=5000 password=\[redacted\]$/);
  });
});

describe('redaction pieces', () => {
  it('bounds the walk: deeper than the limit is not printed at all', () => {
    expect(redact({ a: { b: { c: { d: { e: 'deep' } } } } })).toEqual({ a: { b: { c: { d: '[truncated]' } } } });
  });

  it('leaves short setting values alone, so "on" does not redact every line', () => {
    expect(secretValuesOf({ BANCO_MQTT_PASSWORD: 'on' })).toEqual([]);
    expect(scrubText('logging on', [])).toBe('logging on');
  });

  it('redacts the review\'s gaps: an Azure connection string, a short password, and URL passwords holding / or @', () => {
    const env = { AZURE_IOT_CONNECTION_STRING: 'HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3OA==', KAFKA_PASSWORD: 'abc1234' };
    const text = scrubText(`connect with ${env.AZURE_IOT_CONNECTION_STRING}; kafka pw abc1234; url smtp://u:pa/ss@host:587; mqtt://u:p@ss@h:1883 SharedAccessSignature sr=x&sig=abcDEF123%3D&se=1`, secretValuesOf(env));
    expect(text).not.toMatch(/c2VjcmV0|abc1234|pa\/ss|p@ss|abcDEF123/);
    expect(text).toContain('smtp://***@host:587');
    expect(text).toContain('mqtt://***@h:1883');
    expect(text).toContain('DeviceId=d1');
  });

  it('strips user and password from every URL in a text', () => {
    expect(safeUrl('from mqtt://u:p@a:1 to mqtts://x@b')).toBe('from mqtt://***@a:1 to mqtts://***@b');
  });
});

describe('BANCO_LOG_FORMAT', () => {
  it('defaults to pretty on a terminal and JSON elsewhere, and refuses anything else', () => {
    expect(logFormatFromEnv(undefined, true)).toBe('pretty');
    expect(logFormatFromEnv(undefined, false)).toBe('json');
    expect(logFormatFromEnv('json', true)).toBe('json');
    expect(() => logFormatFromEnv('xml', false)).toThrow(/BANCO_LOG_FORMAT=xml must be json or pretty/);
  });
});

describe('Node-RED log handler', () => {
  it('turns Node-RED messages into our lines with its levels, the node concerned, and redaction', () => {
    const { lines, log } = capture({ component: 'node-red', secrets: ['flow-secret-value'] });
    const handle = nodeRedLogHandler(log);
    handle({ level: 40, msg: '\nStarted flows\n' });
    handle({ level: 20, msg: new Error('cannot connect with flow-secret-value'), type: 'mqtt-broker', id: 'n1', name: 'hub' });
    handle({ level: 10, msg: 'fatal thing' });
    handle({ level: 60, msg: { some: 'object' } });
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.level, e.component, e.event, e.msg])).toEqual([
      ['info', 'node-red', 'node-red.log', 'Started flows'],
      ['error', 'node-red', 'node-red.log', 'cannot connect with [redacted]'],
      ['error', 'node-red', 'node-red.log', 'fatal thing'],
    ]);
    expect(entries[1].node).toEqual({ type: 'mqtt-broker', id: 'n1', name: 'hub' });
  });
});
