/** One IoT Hub endpoint per suite: throw-away CA + server certificate, one SAS device and one X.509 device. */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestCerts, type TestCerts } from '../../broker/certs';
import { IotHubEndpoint } from '../../fixtures/iothub/iothub-endpoint';

export const HUB_HOST = 'banco-test.azure-devices.net';
export const DEVICE_ID = 'banco-hub-01';
/** bytes 0..31, the key of RESEARCH.md's test vector. */
export const DEVICE_KEY = Buffer.from([...Array(32).keys()]).toString('base64');
export const WRONG_KEY = Buffer.alloc(32, 7).toString('base64');

export interface EndpointFixture {
  endpoint: IotHubEndpoint;
  certs: TestCerts;
  dir: string;
}

export async function startEndpoint(extraDevices: Array<{ deviceId: string; x509Fingerprint256?: string; key?: string }> = []): Promise<EndpointFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'banco-iothub-'));
  const certs = makeTestCerts(dir);
  const endpoint = await IotHubEndpoint.start({
    hostName: HUB_HOST,
    devices: [{ deviceId: DEVICE_ID, key: DEVICE_KEY }, ...extraDevices],
    cert: readFileSync(certs.certFile),
    key: readFileSync(certs.keyFile),
  });
  return { endpoint, certs, dir };
}

/** A self-signed client certificate for an X.509 device, with its SHA-256 fingerprint (what IoT Hub registers). */
export function makeDeviceCert(dir: string, deviceId: string): { certFile: string; keyFile: string; fingerprint256: string } {
  const certFile = path.join(dir, `${deviceId}.crt`);
  const keyFile = path.join(dir, `${deviceId}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${deviceId}`], { stdio: 'pipe' });
  return { certFile, keyFile, fingerprint256: new X509Certificate(readFileSync(certFile)).fingerprint256 };
}

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'banco-iothub-'));
}
