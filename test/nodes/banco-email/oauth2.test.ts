/**
 * OAuth2: banco-smtp logs in with XOAUTH2 (RFC 7628 / Google's XOAUTH2), the access token
 * fetched by nodemailer from a token endpoint with the refresh token (a real local HTTP server
 * speaking the OAuth2 refresh grant, RFC 6749 §6).
 */
import http from 'node:http';
import { helper, waitUntil } from '../helpers/red';
import { TestSmtpServer } from '../helpers/smtp-server';
import { freePort } from '../../helpers/ports';
import { alert, deploy, smtpNode } from './fixtures';

const ACCESS_TOKEN = 'ya29.test-access-token';

describe('banco-smtp with OAuth2 (XOAUTH2)', () => {
  let server: TestSmtpServer;
  let tokenServer: http.Server;
  let tokenUrl: string;
  const grants: URLSearchParams[] = [];
  const xoauth: Array<{ user: string; token: string | undefined }> = [];

  beforeAll(async () => {
    server = await TestSmtpServer.start({
      extra: {
        authMethods: ['XOAUTH2'],
        onAuth: (auth, _session, cb) => {
          xoauth.push({ user: auth.username ?? '', token: auth.accessToken });
          if (auth.method === 'XOAUTH2' && auth.username === 'ops-mailer@banco.test' && auth.accessToken === ACCESS_TOKEN) return cb(null, { user: auth.username });
          return cb(null, { data: { status: '401', schemes: 'bearer', scope: 'mail' } });
        },
      },
    });
    tokenServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        grants.push(form);
        const ok = form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'refresh-123' && form.get('client_secret') === 'secret-456';
        res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(ok ? { access_token: ACCESS_TOKEN, expires_in: 3600, token_type: 'Bearer' } : { error: 'invalid_grant' }));
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => tokenServer.listen(port, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${port}/token`;
    await helper.startServer();
  });
  afterAll(async () => {
    await helper.stopServer();
    await server.stop();
    await new Promise((r) => tokenServer.close(r));
  });
  afterEach(async () => {
    await helper.unload();
  });

  test('a refresh token, client id and secret get an access token, and the mail goes out over XOAUTH2', async () => {
    const smtp = smtpNode(server, { authType: 'oauth2', oauthAccessUrl: tokenUrl });
    const d = await deploy({}, smtp, { s1: { user: 'ops-mailer@banco.test', clientId: 'client-789', clientSecret: 'secret-456', refreshToken: 'refresh-123' } });
    d.send(alert());
    await waitUntil('mail accepted', () => d.out.length === 1);
    expect(server.mails).toHaveLength(1);
    expect(server.mails[0].user).toBe('ops-mailer@banco.test');
    expect(grants[0].get('client_id')).toBe('client-789');
    expect(xoauth.at(-1)).toEqual({ user: 'ops-mailer@banco.test', token: ACCESS_TOKEN });
  });

  test('a refresh token the endpoint refuses is an auth error in Catch, not retried', async () => {
    const smtp = smtpNode(server, { authType: 'oauth2', oauthAccessUrl: tokenUrl });
    const d = await deploy({}, smtp, { s1: { user: 'ops-mailer@banco.test', clientId: 'client-789', clientSecret: 'secret-456', refreshToken: 'revoked' } });
    d.send(alert());
    await waitUntil('refused', () => d.caught.length === 1);
    expect(d.errors()[0]).toMatch(/SMTP authentication refused/);
    expect(d.out).toHaveLength(0);
  });
});
