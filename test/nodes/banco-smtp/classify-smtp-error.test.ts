/** SMTP failures sort into transient (retried), permanent and auth (never retried). */
import { classifySmtpError } from '../../../nodes/banco-smtp/classify-smtp-error';

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'failed')), fields);

describe('classifySmtpError', () => {
  test.each([
    ['421 service not available', { code: 'EENVELOPE', responseCode: 421 }, 'transient'],
    ['450 mailbox busy', { code: 'EENVELOPE', responseCode: 450 }, 'transient'],
    ['451 local error', { code: 'EMESSAGE', responseCode: 451 }, 'transient'],
    ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503 }, 'transient'],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'transient'],
    ['bare ECONNREFUSED', { code: 'ECONNREFUSED' }, 'transient'],
    ['timeout', { code: 'ETIMEDOUT' }, 'transient'],
    ['connection closed', { code: 'ECONNECTION' }, 'transient'],
    ['dns', { code: 'EDNS' }, 'transient'],
    ['550 no such user', { code: 'EENVELOPE', responseCode: 550 }, 'permanent'],
    ['552 too big', { code: 'EMESSAGE', responseCode: 552 }, 'permanent'],
    ['535 bad credentials', { code: 'EAUTH', responseCode: 535 }, 'auth'],
    ['534 oauth refused', { responseCode: 534 }, 'auth'],
    ['no credentials', { code: 'ENOAUTH' }, 'auth'],
    ['token refresh failed', { code: 'EOAUTH2' }, 'auth'],
    ['self-signed', { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'permanent'],
    ['wrong host name', { code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'permanent'],
    ['STARTTLS not offered', { code: 'ETLS' }, 'permanent'],
    ['unknown', {}, 'permanent'],
  ])('%s → %s', (_name, fields, code) => {
    const e = classifySmtpError(err(fields));
    expect(e.code).toBe(code);
    expect(e.retriable).toBe(code === 'transient');
  });

  test('the message says what happened and carries the server reply, no credentials', () => {
    const e = classifySmtpError(err({ message: 'Invalid login: 535 5.7.8 bad', code: 'EAUTH', responseCode: 535 }));
    expect(e.message).toBe('SMTP authentication refused (EAUTH: Invalid login: 535 5.7.8 bad)');
  });
});
