/**
 * The editor in a real browser (playwright-core driving Debian's Chromium): log in, every banco
 * node is in the palette, the default tabs are deployed, the "Banco" sidebar tab opens and shows
 * a deposit made over the core's TCP JSON-lines protocol moments later — in Spanish, the
 * browser's language. A screenshot goes to test-artifacts/ (gitignored; CI keeps it).
 *
 * Chromium: /usr/bin/chromium, or BANCO_TEST_CHROMIUM. Under CI=true a missing Chromium fails
 * this suite; elsewhere it is skipped with a printed reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ADMIN, adminToken, deposit, publishAsService, startHub, type Hub } from './hub-with-login';

const CHROMIUM = process.env.BANCO_TEST_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Generous: the machine running the tests may be shared and slow (a wait ends as soon as the thing shows). */
const UI_WAIT_MS = 30_000;
const TEST_MS = 120_000;
/** Every default tab the hub installs: the tab node of each flows/<name>.json. */
const FLOWS_DIR = path.resolve(__dirname, '../../../flows');
const DEFAULT_TABS: Record<string, string> = Object.fromEntries(
  fs.readdirSync(FLOWS_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.credentials.json'))
    .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(FLOWS_DIR, f), 'utf8')) as Array<{ id: string; type: string; label?: string }>).filter((n) => n.type === 'tab').map((n) => [n.id, n.label ?? ''])),
);

/**
 * Clicks a sidebar tab the way a user can see it: the tab itself when the sidebar is wide enough,
 * else its icon in the collapsed tab row, else the collapsed row's menu.
 */
async function openSidebarTab(page: Page, id: string): Promise<void> {
  for (const selector of [`#red-ui-tab-${id} a.red-ui-tab-label`, `#red-ui-tab-${id}-link-button`]) {
    if (await page.locator(selector).isVisible()) return page.locator(selector).click();
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'banco-sidebar-tabs.png') });
  await page.locator('#red-ui-sidebar .red-ui-tab-link-button-menu').click();
  await page.locator('.red-ui-menu-dropdown a:visible', { hasText: 'Banco' }).first().click();
}

/**
 * Node-RED asks an admin once whether to enable update notifications, in a modal that blocks the
 * sidebar; answers "no" when it shows (the hub may switch the question off in its settings).
 */
async function declineTelemetryQuestion(page: Page): Promise<void> {
  await page.locator('.red-ui-header-toolbar').waitFor({ state: 'visible', timeout: UI_WAIT_MS });
  await page.locator('#red-ui-loading-progress').waitFor({ state: 'hidden', timeout: UI_WAIT_MS });
  // The editor's own rule (red.js checkTelemetry): it asks when the runtime has no answer yet.
  const asks = await page.evaluate(() => {
    const RED = (globalThis as unknown as { RED: { settings: { telemetryEnabled?: boolean }; user: { hasPermission(p: string): boolean } } }).RED;
    return RED.settings.telemetryEnabled === undefined && RED.user.hasPermission('settings.write');
  });
  if (!asks) return;
  const label = await page.evaluate(() => (globalThis as unknown as { RED: { _(key: string): string } }).RED._('telemetry.disableLabel'));
  const button = page.locator('button', { hasText: label }).first();
  await button.waitFor({ timeout: UI_WAIT_MS });
  await button.click();
  await button.waitFor({ state: 'detached', timeout: UI_WAIT_MS });
}

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  describe('the Banco sidebar in the browser', () => {
    it('needs Chromium under CI', () => {
      throw new Error(`CI=true but Chromium is missing at ${CHROMIUM} (.ci/run installs it; or set BANCO_TEST_CHROMIUM)`);
    });
  });
} else if (!haveChromium) {
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPED "the Banco sidebar in the browser": no Chromium at ${CHROMIUM} (set BANCO_TEST_CHROMIUM) ***\n`);
  describe.skip('the Banco sidebar in the browser', () => it('needs Chromium', () => undefined));
} else {
  describe('the Banco sidebar in the browser', () => {
    jest.setTimeout(TEST_MS);
    let hub: Hub;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      hub = await startHub({ login: true });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ locale: 'es-ES', viewport: { width: 1600, height: 1000 } });
      page = await context.newPage();
    }, 150_000);

    afterAll(async () => {
      await browser?.close();
      await hub?.stop();
    });

    it('logs in to the editor and finds every banco node in the palette and the default tabs deployed', async () => {
      await page.goto(hub.editorUrl);
      await page.locator('#node-dialog-login-username').fill(ADMIN.username);
      await page.locator('#node-dialog-login-password').fill(ADMIN.password);
      await page.locator('#node-dialog-login-submit').click();
      await page.locator('.red-ui-palette-node[data-palette-type="banco-events"]').waitFor({ timeout: UI_WAIT_MS });
      await declineTelemetryQuestion(page);
      // Every node type this package registers (as the runtime lists them): in the palette, or —
      // config nodes — known to the editor (Node-RED lists those in its config-nodes sidebar).
      const sets = (await (await fetch(`${hub.editorUrl}/nodes`, { headers: { Accept: 'application/json', Authorization: `Bearer ${await adminToken(hub.editorUrl)}` } })).json()) as Array<{ module: string; types: string[] }>;
      const ours = sets.filter((set) => set.module === '@banco-hub/node-red-banco').flatMap((set) => set.types).sort();
      expect(ours).toEqual(expect.arrayContaining(['banco-audit', 'banco-broker', 'banco-events']));
      const categories = await page.evaluate((types) => {
        const RED = (globalThis as unknown as { RED: { nodes: { getType(t: string): { category?: string } | undefined } } }).RED;
        return types.map((t) => RED.nodes.getType(t)?.category ?? 'missing');
      }, ours);
      expect(categories).not.toContain('missing');
      const inPalette = await page.locator('.red-ui-palette-node[data-palette-type^="banco-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-palette-type')));
      expect(inPalette.sort()).toEqual(ours.filter((_t, i) => categories[i] !== 'config'));
      expect(categories.filter((c) => c !== 'config').length).toBeGreaterThanOrEqual(2);
      expect(Object.values(DEFAULT_TABS)).toEqual(expect.arrayContaining(['Banco Hub', 'Banco statistics']));
      for (const [id, label] of Object.entries(DEFAULT_TABS)) {
        await expect(page.locator(`#red-ui-workspace-tabs #red-ui-tab-${id}`).innerText()).resolves.toContain(label);
      }
    });

    it('opens the Banco sidebar tab and shows a new deposit, the audit counters and the statistics', async () => {
      await openSidebarTab(page, 'banco');
      const sidebar = page.locator('.banco-sidebar');
      await sidebar.waitFor({ state: 'visible', timeout: UI_WAIT_MS });
      await expect(sidebar.locator('h4').allInnerTexts()).resolves.toEqual(['Integraciones', 'Últimas estadísticas', 'Eventos']);
      const answer = await deposit(hub.corePort, '1315151515', '7.77');
      expect(answer).toMatchObject({ ok: true });
      const row = sidebar.locator('.banco-event[data-kind="transactions"]', { hasText: '1315151515' }).filter({ hasText: 'monto 7.77' });
      await row.first().waitFor({ timeout: UI_WAIT_MS });
      await expect(row.first().locator('.banco-event-kind').innerText()).resolves.toBe('transacción');
      const audit = sidebar.locator('.banco-integration[data-integration="audit"]');
      // The audit record is written just after the event passes banco-events; its counter follows.
      await audit.locator('.banco-sent', { hasText: /^enviados: [1-9]\d*$/ }).waitFor({ timeout: UI_WAIT_MS });
      await expect(audit.locator('.banco-dot').getAttribute('class')).resolves.toContain('connected');
      await sidebar.locator('.banco-stats tr[data-field="total_transacciones"]').waitFor({ timeout: UI_WAIT_MS });

      // The filter: another cédula hides the row; the row's own cédula shows it again.
      await sidebar.locator('.banco-filter-cedula').fill('1104567890');
      await expect(row.count()).resolves.toBe(0);
      await sidebar.locator('.banco-filter-cedula').fill('131515');
      await expect(row.count()).resolves.toBe(1);
      await sidebar.locator('.banco-filter-cedula').fill('');
      // By kind: the default flow receives deposits as `transactions`, so `deposits` shows none.
      await sidebar.locator('.banco-filter-kind').selectOption('deposits');
      await expect(row.count()).resolves.toBe(0);
      await expect(sidebar.locator('.banco-events-count').innerText()).resolves.toMatch(/^0 de \d+ eventos mostrados/);
      await sidebar.locator('.banco-filter-kind').selectOption('transactions');
      await expect(row.count()).resolves.toBe(1);

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'banco-sidebar.png') });
    });

    it('shows markup inside an event as text, never as HTML', async () => {
      const evil = '<img src=x onerror="globalThis.__bancoXss=1">';
      await publishAsService(hub, 'banco/transacciones', { id: 'xss-1', timestamp: new Date().toISOString(), cedula: '1712345678', tipo: `<b>${evil}</b>`, monto: 1, saldo_nuevo: 1, version: 1, nombre: evil });
      const row = page.locator('.banco-sidebar .banco-event', { hasText: '1712345678' });
      await row.first().waitFor({ timeout: UI_WAIT_MS });
      await expect(row.first().locator('.banco-event-summary').innerText()).resolves.toContain(`<b>${evil}</b>`);
      await expect(page.locator('.banco-sidebar img').count()).resolves.toBe(0);
      await expect(page.locator('.banco-sidebar b').count()).resolves.toBe(0);
      await expect(page.evaluate(() => (globalThis as { __bancoXss?: number }).__bancoXss)).resolves.toBeUndefined();
    });
  });
}
