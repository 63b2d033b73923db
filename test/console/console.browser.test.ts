/**
 * The supervisor console in a real Chromium (playwright-core, Debian's chromium) against a whole
 * daemon on the simulator (test/e2e kit): log in, watch the wallboard follow a queue call
 * (waiting, ticking wait, abandon; then on a call, wrap-up), supervisor actions through the page
 * (unpause, finish the wrap-up with a disposition, a refused logout shown in the dialog), a
 * recording listed and played (audio fetched with the token into a Blob), the reports tab on the
 * real reports API (the calls the test placed in the table, the charts of the day, a CSV download),
 * the service level on the wallboard, the language switch and the tab keys. No console errors but the
 * network lines of the answers the test provokes on purpose. Screenshots: tmp/screenshots/.
 * Skips (one line) without Chromium: see ./chromium.ts.
 */
import { wavHeader } from '../../src/sim/recordings';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { RecordingRepository } from '../../src/recordings/repository';
import { openDatabase } from '../../src/store/db';
import { ADMIN, SCOPED_SUPERVISOR, SUPERVISOR, startE2E, until, type E2E } from '../e2e/helpers';
import { describeWithChromium, launchChromium } from './chromium';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { buildConsole } = require('../../scripts/build-console') as { buildConsole(dir: string): { ok: boolean; output: string } };

const SHOTS = path.resolve(__dirname, '..', '..', 'tmp', 'screenshots');
jest.setTimeout(60_000);

/** A short 8 kHz 16-bit mono WAV (a tone), like Asterisk writes. */
function wav(seconds: number): Buffer {
  const n = 8000 * seconds;
  const b = Buffer.concat([wavHeader(n * 2), Buffer.alloc(n * 2)]);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + i * 2);
  return b;
}

describeWithChromium('supervisor console in Chromium', (bin) => {
  describe('on a daemon with the reports API', () => {
    let x: E2E;
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    let page: Page;
    let staticDir: string;
    let recDir: string;
    let downloads: string;
    const consoleErrors: string[] = [];
    /**
     * Network lines Chromium logs for answers this test provokes on purpose: the bad token's 401 on
     * /me, the refused logout's 409, the scoped supervisor's 403.
     */
    const expectedNetwork = [/status of 401 .*\/me$/, /status of 409 .*\/agents\/1001\/logout$/, /status of 403 .*\/recordings\?agent=1002/];

    const cell = (ext: string, i: number) => page.locator(`#agents-table tr[data-agent="${ext}"] > :nth-child(${i})`);
    const queueCell = (q: string, i: number) => page.locator(`#queues-table tr[data-queue="${q}"] > :nth-child(${i})`);
    const text = async (loc: ReturnType<Page['locator']>) => ((await loc.count()) ? ((await loc.first().textContent()) ?? '').trim() : '');
    const waitText = (loc: ReturnType<Page['locator']>, want: string | RegExp, what: string) =>
      until(async () => {
        const got = await text(loc);
        return (typeof want === 'string' ? got === want : want.test(got)) ? got : undefined;
      }, 8000, what);
    const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      fs.mkdirSync(SHOTS, { recursive: true });
      staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-console-static-'));
      const built = buildConsole(staticDir);
      if (!built.ok) throw new Error(`console build failed:\n${built.output}`);
      recDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-console-rec-'));
      downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-console-dl-'));
      x = await startE2E({ daemon: { consoleStaticDir: staticDir }, recording: { dir: recDir } });
      await x.login('1000', ['support']);
      await x.login('1001', ['support']);
      browser = await launchChromium(bin);
      page = await browser.context.newPage();
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        const line = `${m.text()} ${m.location().url}`;
        if (!expectedNetwork.some((re) => re.test(line))) consoleErrors.push(line);
      });
      page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    });

    afterAll(async () => {
      await browser?.close();
      await x?.stop();
      for (const d of [staticDir, recDir, downloads]) if (d) fs.rmSync(d, { recursive: true, force: true });
    });

    test('login with a supervisor token: the wallboard goes live with the agents', async () => {
      await page.goto(`${x.apiUrl}/console/`);
      await page.locator('#token-input').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
      await shot('console-login');
      // An agent token is refused by the page (the console is for supervisors).
      await page.fill('#token-input', 'not-a-token');
      await page.click('#login-form button[type="submit"]');
      await waitText(page.locator('#login-error'), 'Token recusado pelo daemon.', 'bad token message');
      await page.fill('#token-input', SUPERVISOR);
      await page.click('#login-form button[type="submit"]');
      await waitText(page.locator('#panel-wallboard .status').first(), 'Ao vivo', 'live status');
      await waitText(cell('1000', 3), 'Disponível', 'agent 1000 available');
      await waitText(cell('1001', 3), 'Disponível', 'agent 1001 available');
      expect(await text(cell('1000', 2))).toBe('Ana');
      // The token stays out of the page's URL; it is in this tab's sessionStorage only.
      expect(page.url()).not.toContain(SUPERVISOR);
      // (Expressions as strings: they run in the page, and this file is compiled without the DOM library.)
      expect(await page.evaluate("sessionStorage.getItem('callcenterd.console.token')")).toBe(SUPERVISOR);
      expect(await page.evaluate("localStorage.getItem('callcenterd.console.token')")).toBeNull();
      // A reload keeps this tab's session: live again without typing the token.
      await page.reload();
      await waitText(page.locator('#panel-wallboard .status').first(), 'Ao vivo', 'live after a reload');
      await waitText(cell('1000', 3), 'Disponível', 'agent 1000 after a reload');
    });

    test('a waiting caller appears with a ticking wait and leaves when the customer hangs up', async () => {
      for (const ext of ['1000', '1001']) expect((await x.api('POST', `/agents/${ext}/pause`, { reason: 'Almoço' })).status).toBe(200);
      await waitText(cell('1000', 3), 'Em pausa', '1000 paused');
      await waitText(cell('1000', 5), 'Almoço', 'pause reason shown');
      const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
      await waitText(queueCell('support', 2), '1', 'one caller waiting');
      await waitText(queueCell('support', 3), '0', 'no callback requests (column after waiting)');
      const first = await waitText(queueCell('support', 4), /^\d\d:\d\d$/, 'longest wait shown');
      await waitText(queueCell('support', 4), new RegExp(`^(?!${first}$)\\d\\d:\\d\\d$`), 'longest wait ticking');
      expect(await page.locator('#live-region').textContent()).toMatch(/support/);
      await shot('console-wallboard-waiting');
      x.sim.customerHangup(h);
      await waitText(queueCell('support', 2), '0', 'nobody waiting');
      await waitText(queueCell('support', 5), '1', 'one abandoned');
    });

    test('supervisor action: unpause through the dialog', async () => {
      await cell('1000', 7).locator('button[data-action="unpause"]').click();
      const dialog = page.locator('#action-dialog');
      await dialog.locator('#action-title').waitFor();
      expect(await text(dialog.locator('#action-title'))).toBe('Retomar: Ana (1000)');
      await dialog.locator('button[type="submit"]').click();
      await waitText(cell('1000', 3), 'Disponível', '1000 unpaused');
      await waitText(page.locator('#last-action'), 'Retomar: feito (Ana (1000)).', 'confirmation');
      expect(await dialog.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);
    });

    test('a call arrives, ends, and the supervisor finishes the wrap-up with a disposition', async () => {
      const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '5550102' });
      await waitText(cell('1000', 3), 'Em chamada', '1000 on a call');
      await waitText(cell('1000', 6), /^5550102 · support · \d\d:\d\d$/, 'current call with talk time');
      await shot('console-wallboard-call');
      x.sim.customerHangup(h);
      await waitText(cell('1000', 3), /^Pós-atendimento · \d+ s restantes$/, '1000 in wrap-up');
      await cell('1000', 7).locator('button[data-action="finish-wrapup"]').click();
      const dialog = page.locator('#action-dialog');
      await until(async () => (await dialog.locator('#action-choice option[value="Venda"]').count()) > 0, 5000, 'dispositions loaded');
      await dialog.locator('#action-choice').selectOption('Venda');
      await dialog.locator('button[type="submit"]').click();
      await waitText(cell('1000', 3), 'Disponível', '1000 free again');
      const [w] = x.rows<{ disposition: string; finished_by: string }>('SELECT disposition, finished_by FROM wrapups ORDER BY id DESC LIMIT 1');
      expect(w.disposition).toBe('Venda');
      expect(w.finished_by).toMatch(/sup/);
    });

    test('a refused action stays in the dialog with the reason (409)', async () => {
      await cell('1001', 7).locator('button[data-action="logout"]').click();
      const dialog = page.locator('#action-dialog');
      await dialog.locator('#action-title').waitFor();
      // Someone else logs the agent out while the dialog is open.
      expect((await x.api('POST', '/agents/1001/logout', { force: true }, ADMIN)).status).toBe(200);
      await dialog.locator('button[type="submit"]').click();
      await waitText(dialog.locator('#action-error'), 'Recusado: agent 1001 is not logged in', 'refusal shown');
      await shot('console-action-refused');
      await page.keyboard.press('Escape');
      await waitText(cell('1001', 3), 'Deslogado', '1001 offline on the wallboard');
    });

    test('recordings: listed with the filters, played from a Blob fetched with the token', async () => {
      const [call] = x.rows<{ id: string; root_id: string }>("SELECT id, root_id FROM calls WHERE customer_number = '5550102'");
      const file = `callcenterd/${call.id.slice(0, 8)}/${call.id}.wav`;
      fs.mkdirSync(path.dirname(path.join(recDir, file)), { recursive: true });
      const audio = wav(1);
      fs.writeFileSync(path.join(recDir, file), audio);
      const db = openDatabase(x.dbPath);
      try {
        const repo = new RecordingRepository(db);
        const r = repo.insert({ callId: call.id, rootId: call.root_id, agentExt: '1000', queue: 'support', name: file.replace(/\.wav$/, ''), file, format: 'wav', channelId: null, startedAt: Date.now() - 2000, startedBy: 'policy' });
        repo.setState(r.id, 'done', { endedAt: Date.now() - 1000, durationMs: 1000, sizeBytes: audio.length });
      } finally {
        db.close();
      }
      await page.click('#tab-recordings');
      await page.fill('#rec-agent', '1000');
      await page.click('#recordings-form button[type="submit"]');
      const row = page.locator('#recordings-table tbody tr').first();
      await waitText(row.locator('th'), call.id, 'recording listed');
      expect(await text(row.locator('td').nth(5))).toBe('concluída');
      await row.locator('button[data-recording]').click();
      const player = page.locator('figure.player audio');
      const duration = await until(
        async () =>
          player.evaluate((node) => {
            const a = node as unknown as { src: string; duration: number };
            return a.src.startsWith('blob:') && a.duration > 0 ? a.duration : undefined;
          }),
        8000,
        'audio loaded from a blob',
      );
      expect(duration).toBeCloseTo(1, 1);
      await shot('console-recordings');
    });

    test('reports tab: the calls placed above in the table, charts of the day, a CSV download', async () => {
      await page.click('#tab-reports');
      await page.locator('#reports-form').waitFor({ state: 'visible' });
      await until(async () => (await page.locator('#rep-queue option[value="support"]').count()) > 0, 5000, 'queues from the catalogue');
      await page.selectOption('#rep-kind', 'summary');
      await page.selectOption('#rep-queue', 'support');
      await page.selectOption('#rep-by', 'queue');
      await page.click('#reports-form button[type="submit"]');
      // support, then the total.
      await waitText(page.locator('#reports-status'), '2 linha(s)', 'rows shown');
      const head = await page.locator('#reports-table thead th').allTextContents();
      expect(head.slice(0, 4)).toEqual(['queue', 'offered', 'answered', 'shortAbandoned']);
      expect(head).toContain('serviceLevelPct');
      const rowCells = (i: number) => page.locator('#reports-table tbody tr').nth(i).locator('td').allTextContents();
      // The abandoned caller (5550101) and the answered one (5550102).
      expect((await rowCells(0)).slice(0, 3)).toEqual(['support', '2', '1']);
      expect((await rowCells(1)).slice(0, 3)).toEqual(['TOTAL', '2', '1']);
      await until(async () => (await page.locator('#reports-charts figure canvas').count()) === 3, 5000, 'three charts');
      // Both calls this hour (or one each side of an hour change).
      expect(await page.locator('#reports-charts figure').first().getAttribute('aria-label')).toMatch(/^Chamadas por hora: (\d+h 2|\d+h 1, \d+h 1)$/);
      expect(await page.locator('#reports-charts figure').nth(1).getAttribute('aria-label')).toMatch(/^Nível de serviço \(%\): \d+h \d/);
      await shot('console-reports');
      const today = await page.inputValue('#rep-from');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#rep-csv')]);
      expect(download.suggestedFilename()).toBe(`callcenterd-summary-${today}-${today}-support-by-queue.csv`);
      const file = path.join(downloads, 'report.csv');
      await download.saveAs(file);
      const lines = fs.readFileSync(file, 'utf8').split('\r\n');
      expect(lines[0]).toMatch(/^queue,offered,answered,shortAbandoned,/);
      expect(lines[1]).toMatch(/^support,2,1,/);
      expect(lines[2]).toMatch(/^TOTAL,2,1,/);
    });

    test('English is available; tabs follow the arrow keys', async () => {
      await page.click('#tab-reports');
      await page.selectOption('#lang-select', 'en');
      await waitText(page.locator('#reports-status'), '2 row(s)', 'english status');
      expect(await text(page.locator('#reports-charts figcaption'))).toBe('Calls per hour');
      expect(await text(page.locator('#tab-wallboard'))).toBe('Wallboard');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      // Tabs follow the WAI-ARIA keys: from the last tab, ArrowRight wraps to the first.
      await page.focus('#tab-reports');
      await page.keyboard.press('ArrowRight');
      expect(await page.getAttribute('#tab-wallboard', 'aria-selected')).toBe('true');
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('tab-wallboard');
      await waitText(cell('1000', 3), 'Available', 'states in English');
      await shot('console-wallboard-en');
      await page.selectOption('#lang-select', 'pt-BR');
    });

    test('a supervisor scoped to a monitoring group sees its queues only; a 403 is shown in words', async () => {
      expect((await x.api('POST', '/catalogue/groups', { name: 'support-floor', queues: ['support'] }, ADMIN)).status).toBe(201);
      await page.click('#logout');
      await page.locator('#token-input').waitFor();
      expect(await page.evaluate("sessionStorage.getItem('callcenterd.console.token')")).toBeNull();
      await page.fill('#token-input', SCOPED_SUPERVISOR);
      await page.click('#login-form button[type="submit"]');
      await waitText(page.locator('#panel-wallboard .status').first(), 'Ao vivo', 'live as the scoped supervisor');
      await waitText(cell('1000', 3), 'Disponível', 'agent of the group shown');
      expect(await page.locator('#agents-table tr[data-agent="1002"]').count()).toBe(0);
      expect(await page.locator('#queues-table tr[data-queue="vendas"]').count()).toBe(0);
      // The new session asked the summary of today: support's service level is on the wallboard.
      const day = new Date().toLocaleDateString('sv');
      const summary = await x.api('GET', `/reports/summary?from=${day}&by=queue`, undefined, SUPERVISOR);
      const sl = (summary.body as { rows: { key: string; serviceLevelPct: number | null }[] }).rows.find((r) => r.key === 'support')!.serviceLevelPct;
      expect(sl).not.toBeNull();
      await until(async () => (await page.locator('#queues-table thead th').allTextContents()).includes('Nível de serviço hoje'), 8000, 'service level column');
      await waitText(queueCell('support', 5), new RegExp(`^${String(sl).replace('.', ',')}\\s?%$`), 'support service level');
      await shot('console-wallboard-service-level');
      await page.click('#tab-recordings');
      // Nothing of the previous session stays: the filter is empty again, the list is this token's.
      expect(await page.inputValue('#rec-agent')).toBe('');
      await waitText(page.locator('#recordings-table tbody th').first(), /^\d{8}-\d{6}$/, 'in-scope recording listed');
      await page.fill('#rec-agent', '1002');
      await page.click('#recordings-form button[type="submit"]');
      await waitText(page.locator('#panel-recordings .error'), /^Sem permissão: this token is limited to monitoring group\(s\) support-floor/, '403 shown');
      expect(await page.locator('#recordings-table tbody tr').count()).toBe(0);
      await shot('console-scoped-403');
    });

    test('no console errors', () => {
      expect(consoleErrors).toEqual([]);
    });
  });
});
