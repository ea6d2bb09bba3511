/** The IoT Hub dialect in small pieces: SAS token (RESEARCH.md test vector), connection string, property bag. */
import { parseConnectionString } from '../../../nodes/banco-azure-device/connection-string';
import { readDeviceSettings, renewDelay_ms } from '../../../nodes/banco-azure-device/device-settings';
import { c2dProperties, decodePropertyBag, mqttUsername, telemetryTopic } from '../../../nodes/banco-azure-device/dialect';
import { deviceResourceUri, parseSasToken, sasToken } from '../../../nodes/banco-azure-device/sas-token';

const KEY = Buffer.from([...Array(32).keys()]).toString('base64');

describe('SAS token', () => {
  test('reproduces the test vector of RESEARCH.md (key bytes 0..31, myhub/device1, se 1700000000)', () => {
    const token = sasToken({ resourceUri: deviceResourceUri('myhub.azure-devices.net', 'device1'), keyBase64: KEY, expiry_s: 1_700_000_000 });
    expect(token).toBe('SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdevice1&sig=gFSfLGMXDOvf906%2FiaX3KwzLLNFHgaFZyCbsGjxtd1Y%3D&se=1700000000');
  });

  test('changes with the key, the resource and the expiry', () => {
    const base = { resourceUri: 'h/devices/d', keyBase64: KEY, expiry_s: 1 };
    const tokens = new Set([sasToken(base), sasToken({ ...base, keyBase64: Buffer.alloc(32, 1).toString('base64') }), sasToken({ ...base, resourceUri: 'h/devices/e' }), sasToken({ ...base, expiry_s: 2 })]);
    expect(tokens.size).toBe(4);
  });

  test('reads back into its decoded fields', () => {
    const parsed = parseSasToken(sasToken({ resourceUri: 'h/devices/d', keyBase64: KEY, expiry_s: 42 }));
    expect(parsed).toMatchObject({ sr: 'h/devices/d', se: 42 });
    expect(parseSasToken('Basic abc')).toBeUndefined();
  });
});

describe('device connection string', () => {
  test('gives host, device id and key', () => {
    expect(parseConnectionString(`HostName=myhub.azure-devices.net;DeviceId=device1;SharedAccessKey=${KEY}`)).toEqual({
      ok: true,
      identity: { hostName: 'myhub.azure-devices.net', deviceId: 'device1', sharedAccessKey: KEY, gatewayHostName: undefined, x509: false },
    });
  });

  test.each([
    ['', 'no device connection string'],
    ['HostName=h.net;DeviceId=d', 'no SharedAccessKey'],
    [`DeviceId=d;SharedAccessKey=${KEY}`, 'no HostName'],
    [`HostName=h.net;SharedAccessKey=${KEY}`, 'no DeviceId'],
    [`HostName=h.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, 'hub (service) connection string'],
    [`HostName=h.net;DeviceId=d;ModuleId=m;SharedAccessKey=${KEY}`, 'module identities'],
    ['HostName=h.net;DeviceId=d;SharedAccessKey=not base64!', 'not base64'],
    [`HostName=h.net;DeviceId=d;SharedAccessKey=${KEY};x509=true`, 'either SharedAccessKey or x509'],
    [`HostName=h.net;DeviceId=d d;SharedAccessKey=${KEY}`, 'DeviceId has characters'],
    [`HostName=h.net;DeviceId=d;Foo=1;SharedAccessKey=${KEY}`, 'unknown field'],
  ])('refuses %j saying what is wrong, without the key', (text, reason) => {
    const result = parseConnectionString(text);
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toContain(reason);
    expect(message).not.toContain(KEY);
  });

  test('an X.509 device needs the certificate and key files', () => {
    expect(readDeviceSettings({}, { connectionString: 'HostName=h.net;DeviceId=d;x509=true' })).toEqual({ kind: 'error', message: 'x509=true needs the client certificate and key files' });
  });

  test('an unset ${VAR} reference leaves the device idle, naming the variable', () => {
    expect(readDeviceSettings({}, { connectionString: '${MY_IOT}' })).toEqual({ kind: 'idle', missing: 'MY_IOT' });
    expect(readDeviceSettings({}, {})).toEqual({ kind: 'idle', missing: 'AZURE_IOT_CONNECTION_STRING' });
  });

  test('connects to the gateway host when one is named, else to HostName, on 8883 unless the endpoint says otherwise', () => {
    const cs = `HostName=h.net;DeviceId=d;SharedAccessKey=${KEY}`;
    const at = (def: object, s = cs) => { const r = readDeviceSettings(def, { connectionString: s }); return r.kind === 'ready' ? [r.settings.host, r.settings.port] : r; };
    expect(at({})).toEqual(['h.net', 8883]);
    expect(at({}, `${cs};GatewayHostName=edge.local`)).toEqual(['edge.local', 8883]);
    expect(at({ endpoint: '127.0.0.1:18883' })).toEqual(['127.0.0.1', 18883]);
    expect(at({ endpoint: 'mqtt://x' })).toMatchObject({ kind: 'error' });
  });

  test('a token is renewed once 80 % of its life has passed', () => {
    expect(renewDelay_ms(3_600_000, 3600, 0)).toBe(2_880_000);
    expect(renewDelay_ms(5_000, 5, 0)).toBe(4_000);
    expect(renewDelay_ms(5_000, 5, 4_500)).toBe(1_000);
  });
});

describe('topics and property bags', () => {
  test('the username is {host}/{deviceId}/?api-version=2021-04-12', () => {
    expect(mqttUsername('myhub.azure-devices.net', 'device1')).toBe('myhub.azure-devices.net/device1/?api-version=2021-04-12');
  });

  test('telemetry properties are URL-encoded in the topic, system names ($.ct, $.ce) as written', () => {
    expect(telemetryTopic('d1', [['$.ct', 'application/json'], ['$.ce', 'utf-8'], ['cédula', '0900000019'], ['a&b', 'x=y']])).toBe('devices/d1/messages/events/$.ct=application%2Fjson&$.ce=utf-8&c%C3%A9dula=0900000019&a%26b=x%3Dy');
    expect(telemetryTopic('d1', [])).toBe('devices/d1/messages/events/');
  });

  test('a cloud-to-device topic decodes into its properties; other topics and bad encoding give nothing', () => {
    expect(c2dProperties('d1', 'devices/d1/messages/devicebound/%24.mid=1&%24.to=%2Fdevices%2Fd1&k=a%20b&flag')).toEqual({ '$.mid': '1', '$.to': '/devices/d1', k: 'a b', flag: '' });
    expect(c2dProperties('d1', 'devices/d2/messages/devicebound/k=1')).toBeUndefined();
    expect(decodePropertyBag('k=%E0%A4%A')).toBeUndefined();
  });
});
