/**
 * The customer page in a real browser (Debian's Chromium through playwright-core): log in,
 * deposit, withdraw, transfer with its confirmation step, history pages, live balance from a
 * deposit made by another client over TCP, wrong PINs and the lock, a double-clicked transfer,
 * logout. Screenshots go to test-artifacts/bridge/ (BANCO_TEST_ARTIFACTS overrides), kept by CI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ALICIA, BRUNO, CARLA, PIN, saldo, startTestBank, type TestBank } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = path.resolve(process.env.BANCO_TEST_ARTIFACTS ?? 'test-artifacts', 'bridge');
/** The bound: a deposit made elsewhere shows on the open page within one second. */
const LIVE_UPDATE_MS_MAX = 1000;

let bank: TestBank;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt install chromium); the browser tests need it`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  bank = await startTestBank();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
  await bank?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function logIn(page: Page, cedula: string, pin: string): Promise<void> {
  await page.getByLabel('Cédula', { exact: true }).fill(cedula);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Ingresar' }).click();
}

/**
 * The page's globals as the checks below use them: this project's TypeScript has no DOM types, and
 * string conditions would need eval, which the page's CSP rightly forbids.
 */
interface PageElement {
  id: string;
  textContent: string | null;
  disabled?: boolean;
}
declare const document: { getElementById(id: string): PageElement | null; querySelector(s: string): PageElement | null; querySelectorAll(s: string): { length: number }; activeElement: PageElement | null };

async function until(page: Page, condition: (args: string[]) => boolean | undefined, args: string[], timeoutMs = 5000): Promise<void> {
  await page.waitForFunction(condition, args, { timeout: timeoutMs });
}

const textIs = ([id, text]: string[]): boolean => document.getElementById(id)?.textContent === text;

async function expectBalance(page: Page, amount: string): Promise<void> {
  await until(page, textIs, ['saldo', `$${amount}`]);
}

describe('the customer page', () => {
  it('logs in, deposits, withdraws, transfers after confirming, pages the history and logs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    await page.goto(bank.url);
    await shot(page, '01-ingreso');
    await logIn(page, ALICIA, PIN);
    await expect(page.getByRole('heading', { name: 'Hola, Alicia Prueba' }).waitFor()).resolves.toBeUndefined();
    await expectBalance(page, '1000.00');
    await shot(page, '02-cuenta');

    await page.getByLabel('Monto a depositar (USD)').fill('150');
    await page.getByRole('button', { name: 'Depositar' }).click();
    await expectBalance(page, '1150.00');
    await expect(page.locator('#estado').textContent()).resolves.toContain('Depósito de $150.00 realizado');

    await page.getByLabel('Monto a retirar (USD)').fill('50.25');
    await page.getByRole('button', { name: 'Retirar' }).click();
    await expectBalance(page, '1099.75');

    await page.getByLabel('Cédula de destino').fill(CARLA);
    await page.getByLabel('Monto a transferir (USD)').fill('99.75');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expect(page.locator('#confirmacion-texto').textContent()).resolves.toBe(`¿Transferir $99.75 a la cuenta ${CARLA}? Esta operación no se puede deshacer.`);
    await shot(page, '03-confirmar-transferencia');
    expect(await saldo(bank, CARLA)).toBe('1000.00'); // nothing moves before the confirmation
    await page.getByRole('button', { name: 'Confirmar transferencia' }).click();
    await expectBalance(page, '1000.00');
    expect(await saldo(bank, CARLA)).toBe('1099.75');

    const rows = page.locator('#movimientos tr');
    await until(page, ([n]) => document.querySelectorAll('#movimientos tr').length === Number(n), ['4']);
    await expect(rows.first().textContent()).resolves.toContain(`Transferencia enviada (${CARLA})`);
    for (let i = 0; i < 8; i++) await bank.coreRequest({ op: 'depositar', cedula: ALICIA, monto: '1.00' });
    await page.reload();
    await until(page, textIs, ['pagina', 'Página 1 de 2']);
    await page.getByRole('button', { name: 'Siguiente' }).click();
    await until(page, textIs, ['pagina', 'Página 2 de 2']);
    await expect(rows.count()).resolves.toBe(2);
    await shot(page, '04-historial-pagina-2');

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.getByRole('button', { name: 'Ingresar' }).waitFor();
    await page.reload();
    await expect(page.locator('#cuenta').isHidden()).resolves.toBe(true);
    await page.close();
  });

  it('shows a deposit made by another client over TCP within one second', async () => {
    const page = await browser.newPage();
    await page.goto(bank.url);
    await logIn(page, BRUNO, PIN);
    await expectBalance(page, await saldo(bank, BRUNO));
    await page.waitForTimeout(300); // the socket is connected once the page asked for its balance
    const before = Number(await saldo(bank, BRUNO));
    const want = `$${(before + 42.5).toFixed(2)}`;
    const started = Date.now();
    const reply = await bank.coreRequest({ op: 'depositar', cedula: BRUNO, monto: '42.50' });
    expect(reply.ok).toBe(true);
    await until(page, textIs, ['saldo', want], LIVE_UPDATE_MS_MAX);
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeLessThanOrEqual(LIVE_UPDATE_MS_MAX);
    await shot(page, '05-saldo-en-vivo');
    await page.close();
  });

  it('moves money once when the transfer confirmation is double-clicked', async () => {
    const page = await browser.newPage();
    await page.goto(bank.url);
    await logIn(page, CARLA, PIN);
    await expectBalance(page, await saldo(bank, CARLA));
    const carla = Number(await saldo(bank, CARLA));
    const alicia = Number(await saldo(bank, ALICIA));
    await page.getByLabel('Cédula de destino').fill(ALICIA);
    await page.getByLabel('Monto a transferir (USD)').fill('10');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.getByRole('button', { name: 'Confirmar transferencia' }).dblclick();
    await expectBalance(page, (carla - 10).toFixed(2));
    await page.waitForTimeout(500);
    expect(Number(await saldo(bank, CARLA))).toBeCloseTo(carla - 10, 2);
    expect(Number(await saldo(bank, ALICIA))).toBeCloseTo(alicia + 10, 2);
    await shot(page, '06-doble-clic');
    await page.close();
  });

  it('explains a wrong PIN, and the lock after repeated failures', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(bank.url);
    const victim = '1104567890'; // no such account: the core answers exactly as for a wrong PIN
    await logIn(page, victim, '0000');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Cédula o PIN incorrectos');
    await shot(page, '07-pin-incorrecto');
    for (let i = 0; i < 4; i++) {
      await logIn(page, victim, '0000');
      await until(page, ([id]) => document.activeElement?.id === id && document.querySelector('#form-ingreso button')?.disabled === false, ['pin']);
    }
    await logIn(page, victim, '0000');
    await until(page, ([word]) => document.getElementById('error')?.textContent?.includes(word), ['bloqueada']);
    await shot(page, '08-cuenta-bloqueada');
    await page.close();
  });
});
