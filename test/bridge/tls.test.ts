/**
 * Served over TLS (BANCO_BRIDGE_TLS_CERT/KEY), the session cookie is Secure and HSTS is sent;
 * over plain HTTP (loopback development) neither, so the page still works there.
 */
import https from 'node:https';
import fs from 'node:fs';
import { makeTestCerts } from '../broker/certs';
import { tempDir } from '../helpers/core';
import { ALICIA, PIN, startTestBank, type TestBank } from './helpers';

function post(port: number, ca: Buffer, body: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/sesion', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let bank: TestBank;
let ca: Buffer;

beforeAll(async () => {
  const certs = makeTestCerts(tempDir('banco-bridge-tls-'));
  ca = fs.readFileSync(certs.caFile);
  bank = await startTestBank({ BANCO_BRIDGE_TLS_CERT: certs.certFile, BANCO_BRIDGE_TLS_KEY: certs.keyFile });
});
afterAll(() => bank.stop());

it('marks the session cookie Secure and sends HSTS when it serves TLS', async () => {
  const r = await post(bank.bridge.port, ca, { cedula: ALICIA, pin: PIN });
  expect(r.status).toBe(201);
  const cookie = String(r.headers['set-cookie']);
  expect(cookie).toMatch(/banco_sesion=.*; HttpOnly; Secure; SameSite=Strict/);
  expect(r.headers['strict-transport-security']).toContain('max-age=31536000');
});
