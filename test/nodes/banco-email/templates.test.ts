/** Mail text: money, masked cédula, placeholders, escaping; and the throttle's windows. */
import { composeAlertMail, composeSummaryMail } from '../../../nodes/banco-email/compose-mail';
import type { LowBalanceAlert } from '../../../nodes/banco-email/email-input';
import { emailInputOf, parseRecipients } from '../../../nodes/banco-email/email-input';
import { escapeHtml, formatMoney, maskCedula, oneLine } from '../../../nodes/banco-email/format';
import { DEFAULT_TEMPLATES, renderHtml, renderSubject } from '../../../nodes/banco-email/templates';
import { CedulaThrottle, type ThrottleClock } from '../../../nodes/banco-email/throttle';
import { viewOf } from '../../../nodes/banco-email/compose-mail';

const base: LowBalanceAlert = { id: 'e1', cedula: '0912345678', saldo: 1234.5, saldoAnterior: 2000, umbral: 100, timestamp: '2026-12-03T14:00:00.000Z', nombre: undefined, mensaje: undefined };

describe('mail formatting', () => {
  test('money has two decimals and thousands separators; the cédula shows only its last four digits', () => {
    expect([formatMoney(50), formatMoney(0.1), formatMoney(1234567.891), formatMoney(-5)]).toEqual(['$50.00', '$0.10', '$1,234,567.89', '-$5.00']);
    expect([maskCedula('1350509525'), maskCedula('123'), maskCedula('12345')]).toEqual(['******9525', '***', '*2345']);
  });

  test('values are one line everywhere and HTML-escaped in HTML; unknown placeholders render empty', () => {
    const view = viewOf({ ...base, nombre: 'A\r\nB <i>&' });
    expect(renderSubject('{{nombre}} {{nope}}|', view)).toBe('A B <i>& |');
    expect(renderHtml('<p>{{nombre}}</p>', view)).toBe('<p>A B &lt;i&gt;&amp;</p>');
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
    expect(oneLine('a\u0000b\u2028c', 10)).toBe('a b c');
  });

  test('the default Spanish mail for an alert, and a summary with its count', () => {
    const mail = composeAlertMail(base, {}, ['ops@x.test'], DEFAULT_TEMPLATES);
    expect(mail).toMatchObject({ id: 'e1', to: ['ops@x.test'], subject: 'Saldo bajo en la cuenta ******5678: $1,234.50' });
    expect(mail.text).toContain('Fecha: 3 dic 2026, 9:00:00');
    const summary = composeSummaryMail({ cedula: base.cedula, count: 3, since: Date.parse('2026-12-03T14:05:00Z'), latest: { ...base, id: 'e4' } }, ['ops@x.test'], DEFAULT_TEMPLATES);
    expect(summary.id).toBe('resumen-e4');
    expect(summary.text).toMatch(/3 alertas más desde 3 dic 2026, 9:05:00.{0,8}\(se muestra la última\)\./);
  });

  test('recipients are plain addresses, bounded in number', () => {
    expect(parseRecipients('a@x.test; b@y.test,')).toEqual(['a@x.test', 'b@y.test']);
    expect(parseRecipients(['Eve <e@x.test>'])).toMatch(/not a plain e-mail address/);
    expect(parseRecipients(Array.from({ length: 51 }, (_, i) => `u${i}@x.test`))).toMatch(/more than 50 recipients/);
  });

  test('input: a LOW_BALANCE alert, a custom mail, another event, or a clear refusal', () => {
    expect(emailInputOf({ payload: JSON.stringify({ id: 'i', type: 'LOW_BALANCE', cedula: '1', data: { saldo: 5 } }) })).toMatchObject({ kind: 'alert', alert: { id: 'i', cedula: '1', saldo: 5 } });
    expect(emailInputOf({ subject: 's', html: '<p/>' })).toMatchObject({ kind: 'custom' });
    expect(emailInputOf({ payload: { type: 'OTHER' } })).toMatchObject({ kind: 'ignore' });
    expect(emailInputOf({ payload: { type: 'LOW_BALANCE', cedula: '1', data: {} } })).toMatchObject({ kind: 'bad', message: /without data.saldo/ });
    expect(emailInputOf({ payload: 42 })).toMatchObject({ kind: 'bad' });
  });
});

describe('CedulaThrottle', () => {
  function fakeClock() {
    let now = 0;
    const timers: Array<{ at: number; fn: () => void; t: NodeJS.Timeout }> = [];
    const clock: ThrottleClock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { unref() {} } as unknown as NodeJS.Timeout;
        timers.push({ at: now + ms, fn, t });
        return t;
      },
      clearTimeout: (t) => {
        const i = timers.findIndex((x) => x.t === t);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const advance = (ms: number) => {
      now += ms;
      for (const due of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(due), 1);
        due.fn();
      }
    };
    return { clock, advance };
  }

  test('one send per window, the rest counted into one summary at its end; an empty window is forgotten', () => {
    const { clock, advance } = fakeClock();
    const summaries: Array<{ count: number; since: number; latest: number }> = [];
    const t = new CedulaThrottle<number>(1000, 10, (s) => summaries.push({ count: s.count, since: s.since, latest: s.latest }), clock);
    expect(t.admit('a', 1)).toBe('send');
    advance(100);
    expect([t.admit('a', 2), t.admit('a', 3), t.admit('b', 9)]).toEqual(['counted', 'counted', 'send']);
    expect(t.pending()).toBe(2);
    advance(900);
    expect(summaries).toEqual([{ count: 2, since: 100, latest: 3 }]);
    expect(t.admit('a', 4)).toBe('counted'); // the summary opened a new window
    advance(1000);
    expect(summaries).toHaveLength(2);
    advance(1000);
    expect(t.admit('a', 5)).toBe('send');
  });

  test('past cedulasMax windows the oldest ends early with its summary; drain returns what is owed', () => {
    const { clock } = fakeClock();
    const summaries: string[] = [];
    const t = new CedulaThrottle<number>(1000, 2, (s) => summaries.push(`${s.cedula}:${s.count}`), clock);
    t.admit('a', 1);
    t.admit('a', 2);
    t.admit('b', 1);
    t.admit('c', 1);
    expect(summaries).toEqual(['a:1']);
    t.admit('b', 2);
    expect(t.drain().map((s) => `${s.cedula}:${s.count}`)).toEqual(['b:1']);
    expect(t.pending()).toBe(0);
  });

  test('a window of 0 sends every alert', () => {
    const t = new CedulaThrottle<number>(0, 10, () => undefined);
    expect([t.admit('a', 1), t.admit('a', 2)]).toEqual(['send', 'send']);
  });
});
