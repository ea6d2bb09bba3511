/** banco-smtp settings: every combination either works or is refused with what to change. */
import { readSmtpSettings, settingText } from '../../../nodes/banco-smtp/smtp-settings';
import { testCerts } from '../helpers/smtp-server';

describe('readSmtpSettings', () => {
  test('no host and no URL (or an unset ${VAR}) means the pickup folder', () => {
    expect(readSmtpSettings({}).mode).toBe('pickup');
    expect(readSmtpSettings({ url: '${BANCO_SMTP_URL}', host: '', from: '${BANCO_ALERT_FROM}' })).toEqual({ mode: 'pickup', from: 'Banco Hub <alertas@localhost>' });
    expect(settingText('${X}')).toBeUndefined();
    expect(settingText(' a ')).toBe('a');
  });

  test('smtp:// requires STARTTLS, smtps:// is implicit TLS, ?security=plain allows a plain relay', () => {
    const starttls = readSmtpSettings({ url: 'smtp://u%40x:p%3Ass@mail.example.com' });
    expect(starttls).toMatchObject({ mode: 'smtp', target: 'smtp://mail.example.com:587', options: { host: 'mail.example.com', port: 587, secure: false, requireTLS: true, ignoreTLS: false, auth: { type: 'login', user: 'u@x', pass: 'p:ss' } } });
    expect(readSmtpSettings({ url: 'smtps://mail.example.com' })).toMatchObject({ target: 'smtps://mail.example.com:465', options: { port: 465, secure: true, requireTLS: false } });
    expect(readSmtpSettings({ url: 'smtp://127.0.0.1:2525?security=plain' })).toMatchObject({ options: { port: 2525, secure: false, requireTLS: false, ignoreTLS: true, auth: undefined } });
  });

  test('TLS verifies certificates unless "allow self-signed" is ticked; a CA file is read', () => {
    const strict = readSmtpSettings({ host: 'h', security: 'tls' });
    expect(strict).toMatchObject({ options: { port: 465, secure: true, tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' } } });
    expect(readSmtpSettings({ host: 'h', allowSelfSigned: true })).toMatchObject({ options: { tls: { rejectUnauthorized: false } } });
    const withCa = readSmtpSettings({ host: 'h', caFile: testCerts().caFile });
    expect(withCa.mode === 'smtp' && Array.isArray(withCa.options.tls?.ca)).toBe(true);
  });

  test('pool bounds and the rate limit are set and clamped', () => {
    const plan = readSmtpSettings({ host: 'h', maxConnections: 99, rateLimit: 0 });
    expect(plan).toMatchObject({ options: { pool: true, maxConnections: 10, rateLimit: 1, rateDelta: 60_000, maxRequeues: 0 } });
  });

  test('OAuth2 needs client id, secret and refresh token and becomes nodemailer XOAUTH2', () => {
    expect(readSmtpSettings({ host: 'h', authType: 'oauth2' }, { user: 'a@b' })).toMatchObject({ mode: 'error', message: /client id, a client secret and a refresh token/ });
    expect(readSmtpSettings({ host: 'h', authType: 'oauth2', oauthAccessUrl: 'https://t/token' }, { user: 'a@b', clientId: 'c', clientSecret: 's', refreshToken: 'r' })).toMatchObject({
      options: { auth: { type: 'OAuth2', user: 'a@b', clientId: 'c', clientSecret: 's', refreshToken: 'r', accessUrl: 'https://t/token' } },
    });
  });

  test.each([
    [{ url: 'http://x' }, /unsupported SMTP URL scheme http:/],
    [{ url: 'smtp://x?foo=1' }, /unknown SMTP URL parameter "foo"/],
    [{ url: 'smtps://x?security=plain' }, /contradicts smtps/],
    [{ url: 'not a url' }, /not a URL/],
    [{ host: 'h', caFile: '/nonexistent/ca.pem' }, /cannot read the CA file/],
    [{ host: 'h', authType: 'login' }, /needs a user/],
    [{ host: 'h', from: 'a@b\r\nBcc: x@y' }, /from address contains a line break/],
  ])('%j is refused: %s', (def, message) => {
    expect(readSmtpSettings(def, {})).toMatchObject({ mode: 'error', message });
  });

  test('a user without a password is refused; credentials from ${ENV} left unset count as missing', () => {
    expect(readSmtpSettings({ host: 'h' }, { user: 'a', password: '${BANCO_SMTP_PASSWORD}' })).toMatchObject({ mode: 'error', message: /needs a password/ });
    expect(readSmtpSettings({ host: 'h' }, { user: '${BANCO_SMTP_USER}', password: '${BANCO_SMTP_PASSWORD}' })).toMatchObject({ mode: 'smtp', options: { auth: undefined } });
  });
});
